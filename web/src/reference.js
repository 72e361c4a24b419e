// Reference data the whole page reads: the record's extent (/api/extent), the actors with their
// names and colours (/api/actors), and the event types with their colours.

export let extent = null;

export function setExtent(e) {
  extent = e;
}

export const actors = new Map(); // id -> {name, colour}

export function actorName(id) {
  if (!id) return '';
  if (id === 'unassessed') return 'unassessed';
  return actors.get(id)?.name || id;
}

export const EVENT_TYPES = [
  'battle', 'air_strike', 'drone_strike', 'explosion_remote_violence',
  'violence_against_civilians', 'protest', 'riot', 'strategic_development', 'other',
];
export const EVENT_COLOURS = {
  battle: '#e6550d', air_strike: '#3182bd', drone_strike: '#6baed6', explosion_remote_violence: '#756bb1',
  violence_against_civilians: '#a50f15', protest: '#31a354', riot: '#74c476', strategic_development: '#636363', other: '#969696',
};
