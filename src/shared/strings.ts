/**
 * A copy of a string that keeps nothing else alive. V8 makes a substring of 13 or more characters a
 * view into the string it was cut from, so a user id cut from an import's 1 MB chunk of text would
 * keep the whole chunk in memory for as long as the id is kept (a parser thread's dictionaries keep
 * tens of thousands). Whatever outlives the record it came from goes through here.
 */
export function detached(text: string): string {
  // Concatenating makes a new string; slicing it back flattens that into fresh memory of its own.
  return text.length < 13 ? text : (' ' + text).slice(1);
}
