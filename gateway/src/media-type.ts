/** Reading a Content-Type field (RFC 9110 §8.3.1), for the relay and the tool policy alike. */

/** The media type of a Content-Type value: before any parameters, without the spaces and tabs around it, lower-cased; "" without one. */
export function mediaTypeOf(contentType: string | undefined): string {
  if (contentType === undefined) return "";
  const semicolon = contentType.indexOf(";");
  let end = semicolon === -1 ? contentType.length : semicolon;
  let start = 0;
  while (start < end && isBlank(contentType.charCodeAt(start))) start++;
  while (end > start && isBlank(contentType.charCodeAt(end - 1))) end--;
  // Sliced only when something is cut: most values are the media type alone.
  const type = start === 0 && end === contentType.length ? contentType : contentType.slice(start, end);
  return type.toLowerCase();
}

/** Space or horizontal tab: the only whitespace RFC 9110 allows around a field's parts (OWS). */
function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
