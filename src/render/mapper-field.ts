/** The shape of src/render/mapper-tables.ts, which tools/mapper-tables-gen.ts generates. */

/** How a generated mapper converts one field of an already resolved and sanitized object. */
export type FieldKind =
  | 'value' // obj.f: passed through
  | 'list' // obj.f?.map(y => y): a copy of a list
  | 'union' // obj.f?.value: IntOrString or Quantity
  | 'struct' // toJson_T(obj.f)
  | 'structList' // obj.f?.map(y => toJson_T(y))
  | 'map' // a map of plain values, undefined dropped
  | 'unionMap' // a map of IntOrString or Quantity
  | 'structMap' // a map of toJson_T values
  | 'listMap' // a map of lists
  | 'date'; // obj.f?.toISOString(): cannot follow sanitizing, which rejects Dates

/** One field: [JSON name, TypeScript name, kind, struct type for struct kinds]. */
export type MapperField = readonly [string, string, FieldKind, string?];
