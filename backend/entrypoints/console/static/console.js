// Every console page: filter forms send only the fields that are filled in.
(function () {
  "use strict";
  document.querySelectorAll("form.filters").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("input, select").forEach((field) => {
        if (!field.value || (field.type === "checkbox" && !field.checked)) field.removeAttribute("name");
      });
    });
  });
})();
