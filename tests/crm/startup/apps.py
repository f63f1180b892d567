from django.apps import AppConfig


class MisspeltConfig(AppConfig):
    """Subscribes to a misspelt topic."""

    name = "tests.crm.startup"
    label = "startup_misspelt"

    def ready(self):
        from crm.events import import_app_modules

        import_app_modules(self, "misspelt_handlers")


class UnhandledConfig(AppConfig):
    """Declares a topic that expects a handler, and has none."""

    name = "tests.crm.startup"
    label = "startup_unhandled"

    def ready(self):
        from crm.events import import_app_modules

        import_app_modules(self, "unhandled_topics")
