//这个文件由index.html包含
document.write("<script language='javascript' src='js/settings.js'></script>");
document.write("<script language='javascript' src='js/ledger.js'></script>");
document.write("<script language='javascript' src='js/ribbon.js'></script>");
