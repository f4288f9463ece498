/* 执法记录工作台: small progressive enhancements (every page works without JavaScript). */
(function () {
  "use strict";
  function updateChecklist(form) {
    var items = form.querySelectorAll("fieldset.item");
    var open = 0;
    items.forEach(function (item) {
      var answered = item.querySelector("input[type=radio]:checked") !== null;
      item.classList.toggle("unanswered", !answered);
      if (!answered) { open += 1; }
    });
    var badge = document.querySelector("[data-unanswered]");
    if (badge) {
      badge.setAttribute("data-unanswered", String(open));
      badge.textContent = "未填 " + open + " / " + items.length;
    }
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form.checklist");
    if (form) { updateChecklist(form); }
  });
})();
