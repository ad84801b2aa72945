/* omov staff pages: progressive enhancement only; every page works without this script.
 * - The ballot builder: choosing a question's method presses its "Use this method" button, and
 *   every button that changes the form's structure (add, remove, move, paste, method) sends the
 *   form in the background and swaps in the form that comes back, instead of reloading the page.
 * - Live figures: delivery progress is updated from the JSON API every few seconds while
 *   messages wait, and an open ballot's turnout page reloads every 30 seconds; each with a
 *   checkbox to stop the updates (WCAG 2.2.2). Without the script, a link updates by hand.
 * - A form that comes back with problems: focus moves to the list of them. */
'use strict';
(function () {
  var summary = document.getElementById('error-summary');
  if (summary && !location.hash) summary.focus();
  document.addEventListener('change', function (e) {
    var t = e.target;
    if (!(t instanceof HTMLSelectElement) || !t.form) return;
    var id = t.getAttribute('data-apply');
    var button = id && document.getElementById(id);
    if (button && typeof t.form.requestSubmit === 'function') t.form.requestSubmit(button);
  });

  /* The builder: the server renders the changed form (one way to draw it); only the form is swapped. */
  var busy = false;
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var button = e.submitter;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-builder')) return;
    if (!button || button.name !== 'do' || button.value === 'save' || !window.fetch || !window.DOMParser) return;
    e.preventDefault();
    if (busy) return;
    busy = true;
    var target = button.getAttribute('formaction') || form.action;
    var hash = target.indexOf('#');
    var anchor = hash >= 0 ? target.slice(hash + 1) : '';
    var url = hash >= 0 ? target.slice(0, hash) : target;
    var body = new URLSearchParams(new FormData(form, button));
    var status = document.getElementById('builder-status');
    fetch(url, {
      method: 'POST',
      body: body,
      credentials: 'same-origin',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
      .then(function (r) {
        return r.ok ? r.text() : null;
      })
      .then(function (text) {
        var fresh = text && new DOMParser().parseFromString(text, 'text/html').querySelector('form[data-builder]');
        if (!fresh) throw new Error('no form');
        form.replaceWith(document.adoptNode(fresh));
        var to = anchor && document.getElementById(anchor);
        if (to) {
          if (!to.matches('input, select, textarea, button')) to.setAttribute('tabindex', '-1');
          to.focus();
          to.scrollIntoView({ block: 'nearest' });
        }
        if (status) status.textContent = 'Done: ' + button.textContent + '.';
      })
      .catch(function () {
        // Anything unexpected: the ordinary submit, as without the script.
        form.removeAttribute('data-builder');
        form.requestSubmit(button);
      })
      .then(function () {
        busy = false;
      });
  });

  /* A checkbox, ticked, beside the element that says the figures are live: untick to stop. */
  function updatesSwitch(where, label) {
    var box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = true;
    box.id = 'live-updates';
    var text = document.createElement('label');
    text.htmlFor = box.id;
    text.textContent = ' ' + label;
    var line = document.createElement('span');
    line.className = 'live-updates';
    line.appendChild(document.createTextNode(' '));
    line.appendChild(box);
    line.appendChild(text);
    where.appendChild(line);
    return box;
  }

  var page = document.querySelector('[data-updates="page"]');
  if (page) {
    var every = Number(page.getAttribute('data-every')) || 30;
    var reload = updatesSwitch(page, 'Update every ' + every + ' seconds');
    setInterval(function () {
      if (reload.checked) location.reload();
    }, every * 1000);
  }

  var box = document.querySelector('[data-progress-url]');
  if (!box || box.getAttribute('data-waiting') === '0') return;
  var status = box.querySelector('[data-updates="progress"]');
  var live = status ? updatesSwitch(status, 'Update as it goes') : null;
  var url = box.getAttribute('data-progress-url');
  var timer = setInterval(function () {
    if (live && !live.checked) return;
    fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (d) {
        if (!d || !d.progress) return;
        var waiting = 0,
          known = true;
        Object.keys(d.progress).forEach(function (k) {
          var x = d.progress[k],
            total = x.queued + x.sending + x.sent + x.failed + (x.bounced || 0);
          waiting += x.queued + x.sending;
          var bar = box.querySelector('progress[data-kind="' + k + '"]');
          var text = box.querySelector('[data-kind-text="' + k + '"]');
          if (!bar || !text) {
            known = false;
            return;
          }
          bar.max = total || 1;
          bar.value = x.sent;
          bar.textContent = x.sent + ' of ' + total;
          text.textContent =
            x.sent +
            ' of ' +
            total +
            ' sent, ' +
            (x.queued + x.sending) +
            ' waiting, ' +
            x.failed +
            ' failed' +
            (x.bounced ? ', ' + x.bounced + ' bounced' : '') +
            '.';
        });
        // Done (or a new kind of message appeared): the page itself shows the final state.
        if (waiting === 0 || !known) {
          clearInterval(timer);
          location.reload();
        }
      })
      .catch(function () {});
  }, 3000);
})();

/* Opening a ballot: the open is one transaction that can take a while on a large roll. While
 * its form is on its way (and on the ballot's page while an open is in flight), how far it
 * has come is read from the JSON API each second and shown in a status line. */
(function () {
  function follow(url, bar, text, onEnd) {
    var timer = setInterval(function () {
      fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (r) {
          return r.ok ? r.json() : null;
        })
        .then(function (d) {
          if (!d) return;
          if (!d.opening) {
            clearInterval(timer);
            if (onEnd) onEnd();
            return;
          }
          bar.max = d.opening.total || 1;
          bar.value = d.opening.done;
          bar.textContent = d.opening.done + ' of ' + d.opening.total;
          text.textContent =
            d.opening.done + ' of ' + d.opening.total + ' members have their link and a queued invitation.';
        })
        .catch(function () {});
    }, 1000);
  }

  var shown = document.querySelector('[data-opening-url]');
  if (shown) {
    var bar = shown.querySelector('progress');
    var text = shown.querySelector('[data-opening-text]');
    if (bar && text)
      follow(shown.getAttribute('data-opening-url'), bar, text, function () {
        location.reload();
      });
  }

  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || e.defaultPrevented) return;
    var m = /\/ballots\/([0-9a-f-]{36})\/open$/.exec(form.getAttribute('action') || '');
    if (!m || form.hasAttribute('data-opening')) return;
    form.setAttribute('data-opening', '');
    var bar = document.createElement('progress');
    bar.setAttribute('aria-label', 'Members given a link');
    var text = document.createElement('p');
    text.setAttribute('role', 'status');
    text.textContent = 'Opening: issuing the links and queueing the invitations…';
    form.after(bar, text);
    // The page that answers the form replaces this one when the open ends.
    follow('/api/v1/ballots/' + m[1] + '/opening', bar, text, null);
  });
})();
