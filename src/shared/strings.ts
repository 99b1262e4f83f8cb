/**
 * A copy of a string that keeps nothing else alive. V8 makes a substring of 13 or more characters a
 * view into the string it was cut from, so a user id cut from an import's 1 MB chunk of text would
 * keep the whole chunk in memory for as long as the id is kept (a parser thread's dictionaries keep
 * tens of thousands). Whatever outlives the record it came from goes through here.
 *
 * JSON.parse makes a string of its own, exactly the text (escapes round-trip, lone surrogates too).
 * Slicing a concatenation back, as before, made a view again, into a copy one character longer: 88
 * bytes kept per 36-character id instead of 56, ~6 MB more for an import of 200,000 UUID users.
 */
export function detached(text: string): string {
  return text.length < 13 ? text : (JSON.parse(JSON.stringify(text)) as string);
}
