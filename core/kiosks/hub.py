"""Placeholder, written by the kiosk work."""


class KioskHub:
    def __init__(self, appliance):
        self.appliance = appliance
