/*
 * 台账助手 WPS 加载项：功能区回调（ribbon.xml 中的 onLoad / onAction / getImage）。
 * The WPS glue only: which Application, which fetch, which alert. The logic is in ledger.js.
 * main.js loads this file after ledger.js, as the wpsjs "et" template loads its js/ribbon.js.
 */
(function (root) {
  "use strict";

  /**
   * WPS 表格's Application: the global `Application` (window.Application), the way
   * et-jsapi-declare recommends and the wpsjs template uses; `wps` is the same object
   * (declared AddonRoot & Et.Application) on builds that only name it so.
   * @returns {Et.Application}
   */
  function ledgerApp() {
    if (root.Application) {
      return root.Application;
    }
    return typeof wps !== "undefined" ? wps : null;
  }

  function ledgerFetch() {
    if (typeof root.fetch === "function") {
      return function (url, init) { return root.fetch(url, init); };
    }
    return LedgerAddin.makeXhrFetch(root.XMLHttpRequest);
  }

  /** onLoad of ribbon.xml: nothing to set up (the buttons need no ribbon updates). */
  function OnAddinLoad(ribbonUI) {
    return true;
  }

  /** @param {RibbonControl} control */
  function OnAction(control) {
    LedgerAddin.runButton(ledgerApp(), control.Id, {
      fetchImpl: ledgerFetch(),
      settings: root.LEDGER_SETTINGS,
      alert: function (message) { root.alert(message); }
    });
    return true;
  }

  /** @param {RibbonControl} control */
  function GetImage(control) {
    return LedgerAddin.imageFor(control.Id);
  }

  root.OnAddinLoad = OnAddinLoad;
  root.OnAction = OnAction;
  root.GetImage = GetImage;
})(window);
