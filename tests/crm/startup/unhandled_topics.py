from crm.events import declare_topic

declare_topic("tests.forgotten", fields=["id"], label="Forgotten")
