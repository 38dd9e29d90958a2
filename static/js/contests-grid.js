// The mark-entry grid: arrow keys and Enter move between cells, like a spreadsheet.
// Each cell saves itself through htmx when it changes (see mark_grid.html).
(function () {
  function inputAt(table, row, column) {
    var tr = table.tBodies[0].rows[row];
    if (!tr) { return null; }
    var td = tr.cells[column];
    return td ? td.querySelector("input.mark:not([disabled])") : null;
  }
  function move(input, rowStep, columnStep) {
    var td = input.closest("td");
    var table = input.closest("table[data-grid]");
    var row = td.parentElement.sectionRowIndex;
    var column = td.cellIndex;
    var rows = table.tBodies[0].rows.length;
    var columns = td.parentElement.cells.length;
    // skip cells without an input (a judge who must not mark that competitor)
    for (var step = 1; step < Math.max(rows, columns); step++) {
      var r = row + rowStep * step;
      var c = column + columnStep * step;
      if (r < 0 || r >= rows || c < 1 || c >= columns) { return; }
      var target = inputAt(table, r, c);
      if (target) { target.focus(); target.select(); return; }
    }
  }
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.matches("table[data-grid] input.mark")) { return; }
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    var whole = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    if (event.key === "Enter") { event.preventDefault(); move(input, event.shiftKey ? -1 : 1, 0); }
    else if (event.key === "ArrowDown") { event.preventDefault(); move(input, 1, 0); }
    else if (event.key === "ArrowUp") { event.preventDefault(); move(input, -1, 0); }
    else if (event.key === "ArrowRight" && (atEnd || whole)) { event.preventDefault(); move(input, 0, 1); }
    else if (event.key === "ArrowLeft" && (atStart || whole)) { event.preventDefault(); move(input, 0, -1); }
  });
  // a refused value keeps its cell in focus-worthy red; nothing typed is lost
  document.addEventListener("htmx:afterSwap", function (event) {
    var cell = event.detail.target;
    if (cell && cell.classList && cell.classList.contains("bad") && !document.activeElement.matches("input.mark")) {
      var input = cell.querySelector("input.mark");
      if (input) { input.focus(); }
    }
  });
})();
