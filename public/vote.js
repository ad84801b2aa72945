/*
 * omov ballot paper, enhanced. The page works without this script: every answer is a
 * radio button, a checkbox or a numbered select, sent by a plain form. With it:
 *  - ranked questions get tap-to-rank: tap the options in order of preference and the
 *    numbers fill the selects; tap a ranked option again to take it out; Undo and Clear;
 *  - questions with a limit on marks count the marks and refuse one too many;
 *  - ticking "Abstain" clears that question's answer, and answering unticks "Abstain".
 * The selects stay the answer: the server reads nothing this script makes up.
 * Texts come from the page (data-texts on the form), which takes them from the catalogue.
 */
(function () {
  'use strict';
  var form = document.getElementById('ballot');
  if (!form || !form.querySelectorAll) return;
  var texts = {};
  try {
    texts = JSON.parse(form.getAttribute('data-texts') || '{}');
  } catch (e) {
    texts = {};
  }
  function say(key, values) {
    var s = String(texts[key] || '');
    Object.keys(values || {}).forEach(function (k) {
      s = s.split('{' + k + '}').join(String(values[k]));
    });
    return s;
  }
  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      e.setAttribute(k, attrs[k]);
    });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function abstainBox(fieldset) {
    return fieldset.querySelector('input[value="abstain"]');
  }

  /* Ranked questions: tap to rank. */
  each(form.querySelectorAll('fieldset[data-kind="ranking"]'), function (fieldset) {
    var rows = Array.prototype.slice.call(fieldset.querySelectorAll('.rank'));
    var selects = rows.map(function (r) {
      return r.querySelector('select');
    });
    var labels = rows.map(function (r) {
      return r.querySelector('label');
    });
    var names = labels.map(function (l) {
      return (l.firstChild && l.firstChild.nodeType === 3 ? l.firstChild.nodeValue : l.textContent).trim();
    });
    var fullNames = names.slice();
    var abstain = abstainBox(fieldset);
    var history = [];
    var hint = el('p', { class: 'hint', id: fieldset.id + '_tap' }, say('tapHint'));
    var status = el('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
    var tools = el('div', { class: 'actions' });
    var undo = el('button', { type: 'button', class: 'secondary small' }, say('tapUndo'));
    var clear = el('button', { type: 'button', class: 'secondary small' }, say('tapClear'));
    tools.appendChild(undo);
    tools.appendChild(clear);
    tools.appendChild(status);

    function ranks() {
      return selects.map(function (s) {
        return s.value === '' ? 0 : Number(s.value);
      });
    }
    function order() {
      var r = ranks();
      return r
        .map(function (n, i) {
          return [n, i];
        })
        .filter(function (p) {
          return p[0] > 0;
        })
        .sort(function (a, b) {
          return a[0] - b[0];
        })
        .map(function (p) {
          return p[1];
        });
    }
    function set(values) {
      selects.forEach(function (s, i) {
        s.value = values[i] ? String(values[i]) : '';
      });
      render();
    }
    function remember() {
      history.push(ranks());
    }
    /* Numbers without gaps, in the order they stand: what the voter sees is what is cast. */
    function setOrder(list) {
      var values = selects.map(function () {
        return 0;
      });
      list.forEach(function (i, n) {
        values[i] = n + 1;
      });
      set(values);
    }
    var buttons = rows.map(function (row, i) {
      var b = el('button', { type: 'button', class: 'secondary small', 'aria-describedby': hint.id }, names[i]);
      var more = labels[i].querySelector('.hint');
      if (more) {
        b.appendChild(el('br'));
        b.appendChild(el('small', {}, more.textContent.trim()));
        /* The accessible name holds all the visible text (WCAG 2.5.3). */
        fullNames[i] += ' ' + more.textContent.trim();
      }
      b.style.flex = '1';
      b.style.textAlign = 'left';
      b.addEventListener('click', function () {
        remember();
        var list = order();
        var at = list.indexOf(i);
        if (at >= 0) list.splice(at, 1);
        else list.push(i);
        if (abstain) abstain.checked = false;
        setOrder(list);
      });
      /* The label still names the select for screen readers; the button takes its place on screen. */
      labels[i].className = 'sr-only';
      row.appendChild(b);
      return b;
    });
    function render() {
      var r = ranks();
      buttons.forEach(function (b, i) {
        b.className = r[i] ? 'small' : 'secondary small';
        b.setAttribute('aria-label', fullNames[i] + ': ' + (r[i] ? say('tapRanked', { n: r[i] }) : say('tapNext')));
      });
      var list = order();
      status.textContent = list.length
        ? say('tapOrder', {
            list: list
              .map(function (i, n) {
                return n + 1 + '. ' + names[i];
              })
              .join(', '),
          })
        : say('tapNone');
      undo.disabled = history.length === 0;
      clear.disabled = list.length === 0;
    }
    undo.addEventListener('click', function () {
      if (history.length) set(history.pop());
    });
    clear.addEventListener('click', function () {
      remember();
      set(
        selects.map(function () {
          return 0;
        }),
      );
    });
    selects.forEach(function (s) {
      s.addEventListener('focus', function () {
        s.setAttribute('data-before', s.value);
      });
      s.addEventListener('change', function () {
        var before = ranks();
        before[selects.indexOf(s)] = Number(s.getAttribute('data-before') || 0);
        history.push(before);
        s.setAttribute('data-before', s.value);
        if (abstain && s.value !== '') abstain.checked = false;
        render();
      });
    });
    if (abstain)
      abstain.addEventListener('change', function () {
        if (abstain.checked && order().length) {
          remember();
          set(
            selects.map(function () {
              return 0;
            }),
          );
        }
      });
    var firstRow = rows[0];
    if (firstRow) {
      firstRow.parentNode.insertBefore(hint, firstRow);
      var after = rows[rows.length - 1];
      after.parentNode.insertBefore(tools, after.nextSibling);
    }
    render();
  });

  /* Scores: a score unticks "Abstain"; "Abstain" clears the scores. */
  each(form.querySelectorAll('fieldset[data-kind="scores"]'), function (fieldset) {
    var abstain = abstainBox(fieldset);
    var selects = fieldset.querySelectorAll('select');
    if (!abstain) return;
    each(selects, function (s) {
      s.addEventListener('change', function () {
        if (s.value !== '') abstain.checked = false;
      });
    });
    abstain.addEventListener('change', function () {
      if (abstain.checked)
        each(selects, function (s) {
          s.value = '';
        });
    });
  });

  /* Marks with a limit: count them, refuse one too many; "Abstain" and marks exclude each other. */
  each(form.querySelectorAll('fieldset[data-kind="marks"]'), function (fieldset) {
    var max = Number(fieldset.getAttribute('data-max')) || Infinity;
    var abstain = abstainBox(fieldset);
    var boxes = Array.prototype.filter.call(fieldset.querySelectorAll('input[type="checkbox"]'), function (b) {
      return b !== abstain;
    });
    var status = el('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
    function count() {
      return boxes.filter(function (b) {
        return b.checked;
      }).length;
    }
    function show() {
      status.textContent = say('marksCount', { n: count(), max: max });
    }
    boxes.forEach(function (b) {
      b.addEventListener('change', function () {
        if (b.checked && count() > max) {
          b.checked = false;
          status.textContent = say('marksFull', { max: max });
          return;
        }
        if (b.checked && abstain) abstain.checked = false;
        show();
      });
    });
    if (abstain)
      abstain.addEventListener('change', function () {
        if (abstain.checked)
          boxes.forEach(function (b) {
            b.checked = false;
          });
        show();
      });
    /* The count goes after the options, before the abstention. */
    var before = abstain ? abstain.closest('label') : null;
    if (before) before.parentNode.insertBefore(status, before);
    else fieldset.appendChild(status);
    show();
  });
})();

/*
 * The receipt page: a button that copies the receipt code and one that prints the page
 * (the page's print stylesheet leaves the buttons out). Without this script they stay hidden.
 */
(function () {
  'use strict';
  var bar = document.querySelector('[data-receipt-actions]');
  if (!bar) return;
  var copy = bar.querySelector('[data-copy]');
  var print = bar.querySelector('[data-print]');
  var status = bar.querySelector('[data-copied]');
  var code = document.getElementById(copy.getAttribute('data-copy'));
  if (navigator.clipboard && code) {
    copy.addEventListener('click', function () {
      navigator.clipboard.writeText(code.textContent.trim()).then(function () {
        status.textContent = status.getAttribute('data-copied');
      });
    });
  } else copy.hidden = true;
  if (typeof window.print === 'function')
    print.addEventListener('click', function () {
      window.print();
    });
  else print.hidden = true;
  bar.hidden = false;
})();
