import { z } from "zod";
import type { Rng } from "../internal/rng.js";
import { pick } from "./random.js";
import type { GeneratedItem } from "./trace-builder.js";

/** Rank characters from lowest to highest: 2 … 9, T(en), J, Q, K, A. */
export const CARD_RANKS = "23456789TJQKA";
/** Suit characters: spades, hearts, diamonds, clubs. */
export const CARD_SUITS = "SHDC";

const RANK_NAMES: Record<string, string> = {
  "2": "Two", "3": "Three", "4": "Four", "5": "Five", "6": "Six", "7": "Seven", "8": "Eight", "9": "Nine",
  T: "Ten", J: "Jack", Q: "Queen", K: "King", A: "Ace",
};
const SUIT_NAMES: Record<string, string> = { S: "Spades", H: "Hearts", D: "Diamonds", C: "Clubs" };

/** The 52 cards as short codes (`2S` … `AC`), rank-major. */
export function standardDeck(): string[] {
  const deck: string[] = [];
  for (const r of CARD_RANKS) for (const s of CARD_SUITS) deck.push(r + s);
  return deck;
}

/** Rank value of a card code: 2..14 (Ace high). */
export function cardValue(card: string): number {
  return CARD_RANKS.indexOf(card[0]!) + 2;
}

/** Long name of a card code: `KH` → `King of Hearts`. */
export function cardName(card: string): string {
  return `${RANK_NAMES[card[0]!]} of ${SUIT_NAMES[card[1]!]}`;
}

/** Outcome of a duel from the first player's view. */
export type DuelResult = "win" | "loss" | "tie";

/** Options of the `high_card_duel` generator. */
export const HighCardDuelOptionsSchema = z.strictObject({
  /**
   * `decision`: the player's turn (the only legal move is `reveal`, as in the UNGAR game);
   * `outcome`: both cards revealed, the answer is `win`, `loss` or `tie`.
   */
  modes: z.array(z.enum(["decision", "outcome"])).min(1).default(["decision", "outcome"]),
});

/** Options of the `high_card_duel` generator (input form: every field optional). */
export type HighCardDuelOptions = z.input<typeof HighCardDuelOptionsSchema>;

/** Builds the trace of one High Card Duel episode dealt as `myCard` vs `opponentCard`. */
export function highCardDuelItem(myCard: string, opponentCard: string, mode: "decision" | "outcome"): GeneratedItem {
  const mine = cardValue(myCard);
  const theirs = cardValue(opponentCard);
  const result: DuelResult = mine > theirs ? "win" : mine < theirs ? "loss" : "tie";
  const meta = {
    generator: "high_card_duel",
    category: "game",
    task: mode,
    difficulty: mode === "decision" ? "easy" : "medium",
    game: "high_card_duel",
    my_card: myCard,
    opponent_card: opponentCard,
    result,
  };
  if (mode === "decision") {
    return {
      prompt: `High Card Duel: you hold ${myCard} and your card is hidden. It is your turn. Which action do you take?`,
      final_answer: "reveal",
      steps: [
        { type: "legal_moves", content: "Legal moves: [reveal]" },
        { type: "observation", content: `My hand: ${myCard} (${cardName(myCard)}, value ${mine})` },
        { type: "unseen", content: "Unseen cards: 51" },
        { type: "decision", content: "Action chosen: reveal" },
      ],
      meta,
    };
  }
  const cmp = mine > theirs ? ">" : mine < theirs ? "<" : "=";
  return {
    prompt: `High Card Duel (ranks 2 < 3 < … < K < A): you hold ${myCard} and your opponent reveals ${opponentCard}. Do you win, lose or tie?`,
    final_answer: result,
    steps: [
      { type: "observation", content: `My card: ${myCard} = ${cardName(myCard)}, value ${mine}` },
      { type: "observation", content: `Opponent card: ${opponentCard} = ${cardName(opponentCard)}, value ${theirs}` },
      { type: "compare", content: `${mine} ${cmp} ${theirs}` },
      { type: "decision", content: `Result: ${result}` },
    ],
    meta,
  };
}

/** Deals two cards from a seeded 52-card deck and builds the episode's trace. */
export function highCardDuelRandomItem(rng: Rng, options: z.output<typeof HighCardDuelOptionsSchema>): GeneratedItem {
  const deck = standardDeck();
  const i = rng.int(52);
  const my = deck[i]!;
  deck.splice(i, 1);
  const opp = deck[rng.int(51)]!;
  return highCardDuelItem(my, opp, pick(rng, options.modes));
}
