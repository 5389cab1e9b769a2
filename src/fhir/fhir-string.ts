/**
 * Text as a FHIR string, whose grammar (`[ \r\n\t\S]+`) admits no whitespace but space, tab
 * and line breaks: other spaces (a no-break space, which the REST API stores as sent) become
 * plain spaces, and control characters (which only an error quoting a request can hold)
 * become U+FFFD.
 */
export function fhirString(text: string): string {
  return text.replace(/[^\S \t\r\n]/gu, ' ').replace(/[^\P{Cc}\t\r\n]/gu, '\uFFFD');
}
