/*
 * 台账助手 WPS 加载项：功能区回调（ribbon.xml 中的 onLoad / onAction / getImage）。
 * The WPS glue only: which Application, which fetch, which alert. The logic is in ledger.js.
 */
/* global wps, LedgerAddin */
(function (root) {
  "use strict";

  function ledgerApp() {
    if (typeof wps !== "undefined" && wps && typeof wps.EtApplication === "function") {
      return wps.EtApplication();
    }
    return root.Application;
  }

  function ledgerFetch() {
    if (typeof root.fetch === "function") {
      return function (url, init) { return root.fetch(url, init); };
    }
    return LedgerAddin.makeXhrFetch(root.XMLHttpRequest);
  }

  function OnAddinLoad(ribbonUI) {
    if (typeof wps !== "undefined" && wps && typeof wps.ribbonUI !== "object") {
      wps.ribbonUI = ribbonUI;
    }
    return true;
  }

  function OnAction(control) {
    LedgerAddin.runButton(ledgerApp(), control.Id, {
      fetchImpl: ledgerFetch(),
      settings: root.LEDGER_SETTINGS,
      alert: function (message) { root.alert(message); }
    });
    return true;
  }

  function GetImage(control) {
    return LedgerAddin.imageFor(control.Id);
  }

  root.OnAddinLoad = OnAddinLoad;
  root.OnAction = OnAction;
  root.GetImage = GetImage;
})(typeof window !== "undefined" ? window : this);
