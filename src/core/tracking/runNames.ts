import { randomInt } from 'node:crypto';

// Readable generated names, in MLflow's "adjective-noun-number" style, so runs
// started without a name are still easy to tell apart in a list.
const ADJECTIVES = [
  'able', 'bold', 'brave', 'bright', 'calm', 'clever', 'crisp', 'daring', 'eager', 'fair', 'fast',
  'gentle', 'glad', 'grand', 'keen', 'kind', 'lively', 'lucky', 'merry', 'mighty', 'neat', 'nimble',
  'polite', 'proud', 'quick', 'quiet', 'rare', 'sharp', 'shy', 'silent', 'smart', 'steady', 'swift',
  'tidy', 'vast', 'warm', 'wise', 'witty', 'zesty', 'sunny',
];
const NOUNS = [
  'ant', 'bat', 'bear', 'bee', 'crab', 'crow', 'deer', 'dove', 'eel', 'elk', 'finch', 'fox', 'frog',
  'goat', 'hare', 'hawk', 'heron', 'ibis', 'koala', 'lark', 'lion', 'lynx', 'mole', 'moth', 'newt',
  'orca', 'otter', 'owl', 'panda', 'robin', 'seal', 'shark', 'sloth', 'snail', 'swan', 'tiger',
  'toad', 'trout', 'wolf', 'yak',
];

export function generateRunName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1000)}`;
}
