from crm.events import handles


@handles("placement.startd", name="startup.misspelt")
def misspelt(event):
    pass
