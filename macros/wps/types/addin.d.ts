// Globals of the add-in's own scripts (not WPS's: those come from et-jsapi-declare).

/** CommonJS, present when Node's tests require() ledger.js; absent in WPS. */
declare var module: { exports: any } | undefined;

interface Window {
  /** js/settings.js, written by `ledger wps-setup`. */
  LEDGER_SETTINGS?: {
    port?: number;
    token?: string;
    ledgerSheet?: string;
    ownedSheets?: string[];
    version?: string;
  };
  /** js/ledger.js */
  LedgerAddin: any;
  /** Ribbon callbacks named in ribbon.xml (js/ribbon.js). */
  OnAddinLoad: (ribbonUI: WPS.RibbonUi) => boolean;
  OnAction: (control: RibbonControl) => boolean;
  GetImage: (control: RibbonControl) => string;
}

/** The control a ribbon callback receives (CustomUI: IRibbonControl). */
interface RibbonControl {
  Id: string;
  Tag?: string;
}

declare var LedgerAddin: any;
