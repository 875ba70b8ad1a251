// Activity form: shows the custom-rule field only for a custom schedule, and refreshes the
// "next five dates" preview as the schedule changes. The "Preview dates" button does the same
// on the server without this script.
(function () {
    'use strict';
    var form = document.querySelector('form[data-activity-form]');
    if (!form) { return; }
    var schedule = form.querySelector('[data-schedule]');
    if (!schedule) { return; }
    var preset = form.querySelector('#schedule');
    var custom = form.querySelector('[data-custom-rule]');
    var preview = form.querySelector('#preview');
    var endpoint = form.getAttribute('action').replace(/handler=[^&]*/, 'handler=PreviewJson');
    var timer = null;
    var sequence = 0;

    function toggleCustom() {
        if (preset && custom) { custom.hidden = preset.value !== 'custom'; }
    }

    function render(result) {
        var old = preview.querySelector('[data-live]');
        if (old) { old.remove(); }
        var box = document.createElement('div');
        box.setAttribute('data-live', '');
        if (result.errors && result.errors.length) {
            result.errors.forEach(function (e) {
                var p = document.createElement('p');
                p.className = 'error';
                p.textContent = e.message;
                box.appendChild(p);
            });
        } else {
            var h = document.createElement('h3');
            h.textContent = 'The next ' + result.dates.length + ' dates';
            box.appendChild(h);
            if (result.words) {
                var w = document.createElement('p');
                w.textContent = result.words;
                box.appendChild(w);
            }
            var list = document.createElement('ol');
            result.dates.forEach(function (d) {
                var li = document.createElement('li');
                li.textContent = d;
                list.appendChild(li);
            });
            box.appendChild(list);
        }
        // Replace the server-rendered preview, if any, with the live one.
        Array.prototype.forEach.call(preview.querySelectorAll('h3, ol, p'), function (n) {
            if (!box.contains(n)) { n.remove(); }
        });
        preview.appendChild(box);
    }

    function refresh() {
        var mine = ++sequence;
        fetch(endpoint, { method: 'POST', body: new FormData(form), credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (result) { if (result && mine === sequence) { render(result); } })
            .catch(function () { /* the button still works */ });
    }

    function schedulePreview() {
        clearTimeout(timer);
        timer = setTimeout(refresh, 400);
    }

    toggleCustom();
    if (preset) { preset.addEventListener('change', toggleCustom); }
    schedule.addEventListener('change', schedulePreview);
    schedule.addEventListener('input', schedulePreview);
})();
