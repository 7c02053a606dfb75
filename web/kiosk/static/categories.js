// How each category of the GLB contract (extras.floorcast.category) looks on a kiosk.

export const CATEGORIES = {
  floor: { label: "Floor", color: 0xe9e5dc },
  room: { label: "Rooms", color: 0xcfe2f3 },
  wall: { label: "Walls", color: 0x79828f },
  door: { label: "Doors", color: 0xc7843a },
  window: { label: "Windows", color: 0x78b7d9, opacity: 0.6 },
  stair: { label: "Stairs", color: 0x9a7fd0 },
  elevator: { label: "Elevators", color: 0xd46f9f },
  column: { label: "Columns", color: 0x414a56 },
  furniture: { label: "Furniture", color: 0xb9a27a },
  annotation: { label: "Annotations", color: 0xe0b13a },
  other: { label: "Other", color: 0xa3a7ad },
};

// Rooms get soft tints in turn, so neighbouring rooms stand apart from above.
export const ROOM_TINTS = [0xcfe2f3, 0xd9ecd4, 0xf6e3c9, 0xe6dbf1, 0xf3d7dc, 0xd4ecea];

export function categoryOf(name) {
  return Object.hasOwn(CATEGORIES, name) ? name : "other";
}
