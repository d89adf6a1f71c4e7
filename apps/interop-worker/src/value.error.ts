/** Travels as Python's builtin `ValueError` (a JS error whose name is a Python builtin keeps it). */
export class ValueError extends Error {
  override readonly name = 'ValueError';
}
