// Types that keep the stand-in of WPS 表格 (wps_standin.js) to Kingsoft's declarations
// (et-jsapi-declare: Et.* in lib.et.d.ts, Kso.* in lib.kso.d.ts). A stand-in member whose
// name does not start with "_" stands for a WPS member and must be one WPS declares; test
// helpers (the stand-in's state, the log) start with "_".

/** The members of a stand-in class that stand for WPS's. */
type WpsMembers<T> = Exclude<keyof T, `_${string}`>;

/**
 * `true` when every WPS member of the stand-in class T is declared on the WPS interface D;
 * otherwise the names that are not (so `@type {DeclaredBy<...>} x = true` fails and names them).
 */
type DeclaredBy<T, D> = [Exclude<WpsMembers<T>, keyof D>] extends [never] ? true : Exclude<WpsMembers<T>, keyof D>;

/** An object literal that may hold only members WPS declares on D (any values). */
type MembersOf<D> = { [K in keyof D]?: any };
