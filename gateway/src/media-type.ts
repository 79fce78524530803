/** Reading a Content-Type field (RFC 9110 §8.3.1), for the relay and the tool policy alike. */

/** The media type of a Content-Type value: before any parameters, without the spaces and tabs around it, lower-cased; "" without one. */
export function mediaTypeOf(contentType: string | undefined): string {
  if (contentType === undefined) return "";
  const semicolon = contentType.indexOf(";");
  const type = semicolon === -1 ? contentType : contentType.slice(0, semicolon);
  return type.replace(/^[ \t]+|[ \t]+$/g, "").toLowerCase();
}
