"""DrawingML parts for the charts of an owned sheet: one drawing part, one chart part each.

Series point at model Areas by formula and carry caches of the model's values, so that
viewers that do not recalculate still show the data.
"""

from __future__ import annotations

import numbers

from automation.model import Area, Chart, SheetModel, SummaryModel, area_reference
from automation.xlsx.xmltext import DOC_REL_NS, escape_attr, escape_text

CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
SPREADSHEET_DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CATEGORY_AXIS_ID = 500000001
_VALUE_AXIS_ID = 500000002


def _cell_value(model: SummaryModel, sheet_name: str, row: int, column: int):
    """The model's value at a cell of one of its sheets (the last block covering it)."""
    sheet: SheetModel | None = next((s for s in model.sheets if s.name == sheet_name), None)
    if sheet is None:
        return None
    value = None
    for block in sheet.blocks:
        row_offset, column_offset = row - block.row, column - block.column
        if 0 <= row_offset < len(block.values) and 0 <= column_offset < len(block.values[row_offset]):
            value = block.values[row_offset][column_offset]
    return value


def _area_values(model: SummaryModel, area: Area) -> list:
    return [
        _cell_value(model, area.sheet, row, column)
        for row in range(area.first_row, area.last_row + 1)
        for column in range(area.first_column, area.last_column + 1)
    ]


def _string_reference(model: SummaryModel, area: Area) -> str:
    values = _area_values(model, area)
    points = "".join(
        f'<c:pt idx="{index}"><c:v>{escape_text(str(value))}</c:v></c:pt>'
        for index, value in enumerate(values)
        if value is not None
    )
    return (
        f"<c:strRef><c:f>{escape_text(area_reference(area))}</c:f>"
        f'<c:strCache><c:ptCount val="{len(values)}"/>{points}</c:strCache></c:strRef>'
    )


def _number_reference(model: SummaryModel, area: Area) -> str:
    values = _area_values(model, area)
    points = "".join(
        f'<c:pt idx="{index}"><c:v>{float(value)!r}</c:v></c:pt>'
        for index, value in enumerate(values)
        if isinstance(value, numbers.Real) and not isinstance(value, bool)
    )
    return (
        f"<c:numRef><c:f>{escape_text(area_reference(area))}</c:f>"
        f'<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{len(values)}"/>'
        f"{points}</c:numCache></c:numRef>"
    )


def _solid_fill(color: str | None) -> str:
    if not color:
        return ""
    return f'<c:spPr><a:solidFill><a:srgbClr val="{escape_attr(color.lstrip("#").upper())}"/></a:solidFill></c:spPr>'


def _title(text: str) -> str:
    return (
        "<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/>"
        '<a:p><a:pPr><a:defRPr sz="1400" b="1"/></a:pPr>'
        f'<a:r><a:rPr lang="zh-CN" sz="1400" b="1"/><a:t>{escape_text(text)}</a:t></a:r></a:p>'
        '</c:rich></c:tx><c:overlay val="0"/></c:title>'
    )


def _series(chart: Chart, model: SummaryModel) -> str:
    parts = []
    for index, series in enumerate(chart.series):
        parts.append(
            f'<c:ser><c:idx val="{index}"/><c:order val="{index}"/>'
            f"<c:tx><c:v>{escape_text(series.name)}</c:v></c:tx>"
            + (_solid_fill(series.color) if chart.kind != "pie" else "")
            + ('<c:invertIfNegative val="0"/>' if chart.kind != "pie" else "")
            + (_pie_labels() if chart.kind == "pie" else "")
            + f"<c:cat>{_string_reference(model, chart.categories)}</c:cat>"
            f"<c:val>{_number_reference(model, series.values)}</c:val>"
            "</c:ser>"
        )
    return "".join(parts)


def _pie_labels() -> str:
    return (
        '<c:dLbls><c:showLegendKey val="0"/><c:showVal val="0"/><c:showCatName val="1"/>'
        '<c:showSerName val="0"/><c:showPercent val="1"/><c:showBubbleSize val="0"/>'
        '<c:showLeaderLines val="1"/></c:dLbls>'
    )


def _bar_plot(chart: Chart, model: SummaryModel) -> str:
    direction = "bar" if chart.kind == "bar_stacked" else "col"
    # Horizontal bars list the categories top-down, in model order, with values below.
    category_position, value_position = ("l", "b") if direction == "bar" else ("b", "l")
    orientation, value_crosses = ("maxMin", "max") if direction == "bar" else ("minMax", "autoZero")
    return (
        f'<c:barChart><c:barDir val="{direction}"/><c:grouping val="stacked"/><c:varyColors val="0"/>'
        f"{_series(chart, model)}"
        '<c:gapWidth val="60"/><c:overlap val="100"/>'
        f'<c:axId val="{_CATEGORY_AXIS_ID}"/><c:axId val="{_VALUE_AXIS_ID}"/></c:barChart>'
        f'<c:catAx><c:axId val="{_CATEGORY_AXIS_ID}"/><c:scaling><c:orientation val="{orientation}"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{category_position}"/><c:numFmt formatCode="General" sourceLinked="0"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="{_VALUE_AXIS_ID}"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="{_VALUE_AXIS_ID}"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{value_position}"/><c:majorGridlines/>'
        '<c:numFmt formatCode="General" sourceLinked="1"/><c:majorTickMark val="out"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="{_CATEGORY_AXIS_ID}"/><c:crosses val="{value_crosses}"/>'
        '<c:crossBetween val="between"/></c:valAx>'
    )


def _line_series(chart: Chart, model: SummaryModel) -> str:
    parts = []
    for index, series in enumerate(chart.series):
        color = escape_attr((series.color or "5B9BD5").lstrip("#").upper())
        parts.append(
            f'<c:ser><c:idx val="{index}"/><c:order val="{index}"/>'
            f"<c:tx><c:v>{escape_text(series.name)}</c:v></c:tx>"
            f'<c:spPr><a:ln w="28575" cap="rnd"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></a:ln></c:spPr>'
            f'<c:marker><c:symbol val="circle"/><c:size val="6"/><c:spPr><a:solidFill><a:srgbClr val="{color}"/>'
            f'</a:solidFill></c:spPr></c:marker>'
            f"<c:cat>{_string_reference(model, chart.categories)}</c:cat>"
            f"<c:val>{_number_reference(model, series.values)}</c:val>"
            '<c:smooth val="0"/></c:ser>'
        )
    return "".join(parts)


def _line_plot(chart: Chart, model: SummaryModel) -> str:
    """A line chart over categories (weeks); the value axis shows percent for kind line_percent."""
    value_format = "0%" if chart.kind == "line_percent" else "General"
    return (
        f'<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>{_line_series(chart, model)}'
        f'<c:marker val="1"/><c:axId val="{_CATEGORY_AXIS_ID}"/><c:axId val="{_VALUE_AXIS_ID}"/></c:lineChart>'
        f'<c:catAx><c:axId val="{_CATEGORY_AXIS_ID}"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        '<c:delete val="0"/><c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="0"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="{_VALUE_AXIS_ID}"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="{_VALUE_AXIS_ID}"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        '<c:delete val="0"/><c:axPos val="l"/><c:majorGridlines/>'
        f'<c:numFmt formatCode="{value_format}" sourceLinked="0"/><c:majorTickMark val="out"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="{_CATEGORY_AXIS_ID}"/><c:crosses val="autoZero"/>'
        '<c:crossBetween val="between"/></c:valAx>'
    )


def _pie_plot(chart: Chart, model: SummaryModel) -> str:
    return f'<c:pieChart><c:varyColors val="1"/>{_series(chart, model)}<c:firstSliceAng val="0"/></c:pieChart>'


def render_chart(chart: Chart, model: SummaryModel) -> bytes:
    """The chart part (c:chartSpace) of a model Chart."""
    if chart.kind == "pie":
        plot = _pie_plot(chart, model)
    elif chart.kind in ("line", "line_percent"):
        plot = _line_plot(chart, model)
    else:
        plot = _bar_plot(chart, model)
    xml = (
        f'{_XML_DECLARATION}<c:chartSpace xmlns:c="{CHART_NS}" xmlns:a="{DRAWING_NS}" xmlns:r="{DOC_REL_NS}">'
        '<c:roundedCorners val="0"/>'
        f'<c:chart>{_title(chart.title)}<c:autoTitleDeleted val="0"/>'
        f"<c:plotArea><c:layout/>{plot}</c:plotArea>"
        '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        "</c:chartSpace>"
    )
    return xml.encode("utf-8")


def _anchor(chart: Chart, index: int, rel_id: str) -> str:
    first_column, first_row = max(chart.anchor_column - 1, 0), max(chart.anchor_row - 1, 0)
    last_column, last_row = first_column + max(chart.width_columns, 1), first_row + max(chart.height_rows, 1)
    name = escape_attr(chart.title or f"Chart {index}")
    return (
        '<xdr:twoCellAnchor editAs="oneCell">'
        f"<xdr:from><xdr:col>{first_column}</xdr:col><xdr:colOff>0</xdr:colOff>"
        f"<xdr:row>{first_row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
        f"<xdr:to><xdr:col>{last_column}</xdr:col><xdr:colOff>0</xdr:colOff>"
        f"<xdr:row>{last_row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
        '<xdr:graphicFrame macro="">'
        f'<xdr:nvGraphicFramePr><xdr:cNvPr id="{index + 1}" name="{name}"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>'
        '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
        f'<a:graphic><a:graphicData uri="{CHART_NS}">'
        f'<c:chart xmlns:c="{CHART_NS}" r:id="{rel_id}"/>'
        "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>"
    )


def render_drawing(charts: list[Chart], rel_ids: list[str]) -> bytes:
    """The drawing part holding one anchored graphic frame per chart."""
    anchors = "".join(_anchor(chart, index + 1, rel_id) for index, (chart, rel_id) in enumerate(zip(charts, rel_ids)))
    xml = (
        f'{_XML_DECLARATION}<xdr:wsDr xmlns:xdr="{SPREADSHEET_DRAWING_NS}" xmlns:a="{DRAWING_NS}" '
        f'xmlns:r="{DOC_REL_NS}">{anchors}</xdr:wsDr>'
    )
    return xml.encode("utf-8")
