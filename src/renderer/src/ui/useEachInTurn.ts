import { useEffect, useRef, type DependencyList } from 'react';
import { errorMessage } from '../lib/api';

/** What a figure asked per item came back as: its value, or why there is none. */
export type TurnAnswer<Answer> = { value: Answer; error?: undefined } | { value?: undefined; error: string };

export interface EachInTurn<Item, Answer> {
  /**
   * Which version of the item (and of the data) an answer would be for; null when the item needs none
   * (a message never published has no results).
   */
  stamp(item: Item): string | null;
  /** The stamp of the answer held for the item now, if any: an item whose answer is current is skipped. */
  held(item: Item): string | undefined;
  ask(item: Item): Promise<Answer>;
  put(item: Item, stamp: string, answer: TurnAnswer<Answer>): void;
}

/** How long the list shows before the first question: the list itself comes first. */
const START_DELAY_MS = 50;

/**
 * Asks the backend about each item of a list one after another (a segment's size, a message's
 * results), after the list shows: a long list never floods the backend, and an item whose answer is
 * current is not asked again. Starts over when `items` or `deps` change; answers for a list that has
 * gone are dropped.
 */
export function useEachInTurn<Item, Answer>(items: readonly Item[] | null, steps: EachInTurn<Item, Answer>, deps: DependencyList): void {
  const latest = useRef(steps);
  useEffect(() => {
    latest.current = steps;
  });

  useEffect(() => {
    if (!items || items.length === 0) return;
    let live = true;
    const run = async (): Promise<void> => {
      for (const item of items) {
        if (!live) return;
        const { stamp, held, ask, put } = latest.current;
        const current = stamp(item);
        if (current === null || held(item) === current) continue;
        try {
          const value = await ask(item);
          if (live) put(item, current, { value });
        } catch (err) {
          if (live) put(item, current, { error: errorMessage(err) });
        }
      }
    };
    const timer = setTimeout(() => void run(), START_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [items, ...deps]);
}
