// How each category of the GLB contract (extras.floorcast.category) looks on a kiosk.

import { t } from "./i18n.js";

export const CATEGORIES = {
  floor: { label: t("Floor"), color: 0xe9e5dc },
  room: { label: t("Rooms"), color: 0xcfe2f3 },
  wall: { label: t("Walls"), color: 0x79828f },
  door: { label: t("Doors"), color: 0xc7843a },
  window: { label: t("Windows"), color: 0x78b7d9, opacity: 0.6 },
  stair: { label: t("Stairs"), color: 0x9a7fd0 },
  elevator: { label: t("Elevators"), color: 0xd46f9f },
  column: { label: t("Columns"), color: 0x414a56 },
  furniture: { label: t("Furniture"), color: 0xb9a27a },
  annotation: { label: t("Annotations"), color: 0xe0b13a },
  other: { label: t("Other"), color: 0xa3a7ad },
};

// Rooms get soft tints in turn, so neighbouring rooms stand apart from above.
export const ROOM_TINTS = [0xcfe2f3, 0xd9ecd4, 0xf6e3c9, 0xe6dbf1, 0xf3d7dc, 0xd4ecea];

export function categoryOf(name) {
  return Object.hasOwn(CATEGORIES, name) ? name : "other";
}
