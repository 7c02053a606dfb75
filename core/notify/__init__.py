"""Built-in notifiers, registered through the plugin hooks like any other plugin."""
