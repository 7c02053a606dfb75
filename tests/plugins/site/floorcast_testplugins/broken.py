"""A plugin that fails at import: the appliance must name it and carry on."""

raise RuntimeError("this test plugin is broken on purpose")
