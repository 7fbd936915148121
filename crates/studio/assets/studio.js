// refract studio: the page. Plain JavaScript, no build step, no dependencies.
//
// State lives in the URL fragment (#/Model?v={...}) so the back button, reloads and links
// all work; every change of model, page, sort or filter is a navigation. All data comes
// from the JSON API with the run's token in the x-refract-token header. The DOM is built
// with textContent only: no value from the database is ever parsed as HTML.
'use strict';

(() => {
  const TOKEN = document.querySelector('meta[name="refract-token"]').content;
  const $ = (id) => document.getElementById(id);

  /** Creates an element: el('td', {class: 'x', dataset: {field: 'a'}}, child, 'text'). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'dataset') Object.assign(node.dataset, value);
      else if (name === 'class') node.className = value;
      else if (name === 'text') node.textContent = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else if (name in node && typeof value !== 'string') node[name] = value;
      else node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  class ApiError extends Error {
    constructor(status, error) {
      super((error && error.message) || `request failed (${status})`);
      this.status = status;
      this.code = error && error.code;
      this.fields = (error && error.fields) || [];
    }
  }

  async function api(path, body) {
    const init = { headers: { 'x-refract-token': TOKEN } };
    if (body !== undefined) {
      init.method = 'POST';
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, { message: `cannot reach the studio server: ${e.message}` });
    }
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (!response.ok) throw new ApiError(response.status, data && data.error);
    return data;
  }

  function errorNode(error) {
    const node = el('span');
    if (error.code) node.append(el('span', { class: 'code', text: error.code }));
    node.append(error.message);
    return node;
  }

  function showError(box, error) {
    box.replaceChildren(errorNode(error));
    box.hidden = false;
  }

  // ---------------------------------------------------------------- state

  const state = {
    schema: null,
    models: new Map(),
    enums: {},
    model: null,
    view: null,
    rows: [],
    total: 0,
    selected: new Set(),
    loadSeq: 0,
    loads: 0,
  };

  const defaultView = (model) => ({ model, skip: 0, take: 50, orderBy: [], filters: [], related: null, open: false });

  function parseHash() {
    const match = location.hash.match(/^#\/([^?]+)(?:\?v=(.*))?$/);
    if (!match) return null;
    const model = decodeURIComponent(match[1]);
    const view = defaultView(model);
    if (match[2]) {
      try {
        Object.assign(view, JSON.parse(decodeURIComponent(match[2])));
      } catch (_) {
        // A hand-edited fragment: fall back to the model's first page.
      }
    }
    view.model = model;
    return view;
  }

  function navigate(view) {
    const { model, ...rest } = view;
    const hash = `#/${encodeURIComponent(model)}?v=${encodeURIComponent(JSON.stringify(rest))}`;
    if (location.hash === hash) load();
    else location.hash = hash;
  }

  const change = (patch) => navigate({ ...state.view, open: false, ...patch });

  // ---------------------------------------------------------------- formatting

  function typeLabel(field) {
    if (field.kind === 'relation') return `${field.model}${field.list ? '[]' : field.nullable ? '?' : ''}`;
    return `${field.type}${field.list ? '[]' : field.nullable ? '?' : ''}`;
  }

  function enumLabel(field, dbName) {
    const values = state.enums[field.enum] || [];
    const value = values.find((v) => v.dbName === dbName);
    return value ? value.name : dbName;
  }

  function valueNode(field, value) {
    if (value === null || value === undefined) return el('span', { class: 'null', text: 'null' });
    if (field.list || field.input === 'json') return el('span', { class: 'mono', text: JSON.stringify(value) });
    switch (field.input) {
      case 'boolean':
        return el('span', { class: value ? 'bool-true' : 'bool-false', text: String(value) });
      case 'enum':
        return el('span', { text: enumLabel(field, value) });
      case 'datetime':
      case 'bytes':
      case 'bigint':
      case 'decimal':
        return el('span', { class: 'mono', text: String(value) });
      default:
        return el('span', { text: String(value) });
    }
  }

  /** The fields of `row` the server could not decode (`$unreadable`): their values are
   * PostgreSQL's text, shown with a marker and never edited. */
  const unreadable = (row) => row['$unreadable'] || [];

  /** The cell of `field` in `row`: its value, or the marked text of an unreadable one. */
  function cellNode(field, row) {
    if (!unreadable(row).includes(field.name)) return valueNode(field, row[field.name]);
    return el(
      'span',
      { class: 'unreadable', title: 'The studio cannot read this value: shown as PostgreSQL prints it, read-only' },
      el('span', { class: 'marker', text: 'unreadable' }),
      el('span', { class: 'mono', text: String(row[field.name]) })
    );
  }

  /** Whether `field` of `row` can be edited: the model is, the field is, the value was read
   * and so was the row's key (the edit addresses the row by it). */
  function canEdit(model, row, field) {
    const odd = unreadable(row);
    return model.editable && !field.readOnly && !odd.includes(field.name) && !model.key.some((k) => odd.includes(k));
  }

  const rowKey = (model, row) => Object.fromEntries(model.key.map((k) => [k, row[k]]));
  const rowKeyString = (model, row) => JSON.stringify(model.key.map((k) => row[k]));

  /** The many-to-many field the rows on screen are linked through, if they are: then
   * rows can be linked to and unlinked from that record. */
  function manyToManyLink() {
    const related = state.view && state.view.related;
    if (!related) return null;
    const source = state.models.get(related.model);
    const field = source && source.fields.find((f) => f.name === related.field);
    if (!field || field.relationKind !== 'manyToMany' || state.model.key.length !== 1) return null;
    return { related, field };
  }

  /** Links (`linked`) or unlinks the record on screen's relation and the row `target`. */
  async function setLink(target, linked) {
    const { related } = manyToManyLink();
    try {
      await api(`/api/models/${encodeURIComponent(related.model)}/link`, {
        field: related.field,
        key: related.key,
        target,
        linked,
      });
      $('page-error').hidden = true;
      await load();
    } catch (error) {
      showError($('page-error'), error);
    }
  }

  // ---------------------------------------------------------------- sidebar

  function renderModels() {
    const nav = $('models');
    nav.replaceChildren(
      ...state.schema.models.map((model) =>
        el(
          'a',
          {
            href: `#/${encodeURIComponent(model.name)}`,
            dataset: { model: model.name },
            class: state.view && state.view.model === model.name ? 'active' : '',
            onclick: (event) => {
              event.preventDefault();
              navigate(defaultView(model.name));
            },
          },
          el('span', { text: model.name + (model.isView ? ' (view)' : '') }),
          el('span', { class: 'count', text: '…' })
        )
      )
    );
  }

  async function loadCounts() {
    try {
      const { counts, errors } = await api('/api/counts');
      for (const link of $('models').querySelectorAll('a')) {
        const count = link.querySelector('.count');
        const name = link.dataset.model;
        if (name in counts) {
          count.textContent = Number(counts[name]).toLocaleString('en-US');
          count.classList.remove('error');
          count.title = '';
        } else {
          count.textContent = '!';
          count.classList.add('error');
          count.title = errors[name] || 'unknown error';
        }
      }
    } catch (error) {
      showError($('page-error'), error);
    }
  }

  // ---------------------------------------------------------------- loading a page

  async function load() {
    const view = parseHash();
    closeEditor();
    if (!view || !state.models.has(view.model)) {
      state.view = null;
      $('view').hidden = true;
      $('welcome').hidden = false;
      renderModels();
      loadCounts();
      return;
    }
    const modelChanged = !state.view || state.view.model !== view.model;
    state.view = view;
    state.model = state.models.get(view.model);
    state.selected = new Set();
    $('welcome').hidden = true;
    $('view').hidden = false;
    for (const link of $('models').querySelectorAll('a')) {
      link.classList.toggle('active', link.dataset.model === view.model);
    }
    if (modelChanged) setupFilterForm();
    renderHeader();
    renderChips();
    $('page-error').hidden = true;
    $('loading').hidden = false;
    document.body.dataset.busy = '1';
    const seq = ++state.loadSeq;
    const started = performance.now();
    try {
      const body = { skip: view.skip, take: view.take, orderBy: view.orderBy, filters: view.filters };
      if (view.related) body.related = { model: view.related.model, field: view.related.field, key: view.related.key };
      const result = await api(`/api/models/${encodeURIComponent(view.model)}/rows`, body);
      if (seq !== state.loadSeq) return;
      state.rows = result.rows;
      state.total = result.total;
      $('timing').textContent = `loaded in ${Math.round(performance.now() - started)} ms`;
      renderRows();
      if (view.open && state.rows.length === 1) openRecord(state.rows[0]);
      else closeRecord();
    } catch (error) {
      if (seq !== state.loadSeq) return;
      state.rows = [];
      state.total = 0;
      renderRows();
      showError($('page-error'), error);
    } finally {
      if (seq === state.loadSeq) {
        $('loading').hidden = true;
        delete document.body.dataset.busy;
        state.loads += 1;
        document.body.dataset.loads = String(state.loads);
      }
    }
  }

  // ---------------------------------------------------------------- the table

  function renderHeader() {
    const model = state.model;
    $('model-title').textContent = model.name;
    $('add-row').hidden = !model.editable;
    $('delete-selected').hidden = !model.editable;
    const sort = state.view.orderBy[0];
    const selectAll = el('input', {
      type: 'checkbox',
      title: 'Select all rows on this page',
      id: 'select-all',
      onchange: (event) => {
        state.selected = new Set(event.target.checked ? state.rows.map((r) => rowKeyString(model, r)) : []);
        renderRows();
      },
    });
    const cells = [el('th', { class: 'select' }, model.editable ? selectAll : null)];
    for (const field of model.fields) {
      const sortable = field.kind === 'scalar' && field.sortable;
      const arrow = sort && sort.field === field.name ? (sort.direction === 'asc' ? '▲' : '▼') : '';
      cells.push(
        el(
          'th',
          { dataset: { field: field.name }, class: sortable ? 'sortable' : '' },
          el(
            'div',
            {
              class: 'head',
              title: sortable ? 'Sort by this column' : '',
              onclick: sortable ? () => cycleSort(field.name) : undefined,
            },
            el('span', {}, field.name, arrow ? el('span', { class: 'arrow', text: arrow }) : null),
            el('span', { class: 'type', text: typeLabel(field) })
          )
        )
      );
    }
    $('grid').querySelector('thead').replaceChildren(el('tr', {}, cells));
  }

  function cycleSort(name) {
    const current = state.view.orderBy[0];
    let orderBy = [{ field: name, direction: 'asc' }];
    if (current && current.field === name) {
      orderBy = current.direction === 'asc' ? [{ field: name, direction: 'desc' }] : [];
    }
    change({ orderBy, skip: 0 });
  }

  function renderRows() {
    const model = state.model;
    const tbody = $('grid').querySelector('tbody');
    if (state.rows.length === 0) {
      tbody.replaceChildren(
        el('tr', {}, el('td', { class: 'empty', colSpan: model.fields.length + 1, text: 'No rows' }))
      );
    } else {
      tbody.replaceChildren(...state.rows.map((row, index) => rowNode(model, row, index)));
    }
    const selectAll = $('select-all');
    if (selectAll) selectAll.checked = state.rows.length > 0 && state.selected.size === state.rows.length;
    const n = state.selected.size;
    $('delete-selected').disabled = n === 0;
    $('delete-selected').textContent = n ? `Delete ${n} row${n === 1 ? '' : 's'}` : 'Delete';
    renderPager();
  }

  function rowNode(model, row, index) {
    const key = rowKeyString(model, row);
    const selected = state.selected.has(key);
    const tr = el('tr', { dataset: { key, index: String(index) }, class: selected ? 'selected' : '' });
    const link = manyToManyLink();
    tr.append(
      el(
        'td',
        { class: 'select' },
        model.editable
          ? el('input', {
              type: 'checkbox',
              checked: selected,
              title: 'Select row',
              onchange: (event) => {
                if (event.target.checked) state.selected.add(key);
                else state.selected.delete(key);
                renderRows();
              },
            })
          : null,
        link
          ? el('button', {
              type: 'button',
              class: 'unlink',
              title: `Unlink from ${link.related.model} ${Object.values(link.related.key).join(', ')}`,
              text: 'Unlink',
              onclick: () => setLink(rowKey(model, row), false),
            })
          : null
      )
    );
    for (const field of model.fields) {
      if (field.kind === 'relation') {
        tr.append(el('td', { class: 'relation', dataset: { field: field.name } }, el('span', { class: 'cell' }, relationLink(model, row, field))));
        continue;
      }
      const editable = canEdit(model, row, field);
      const td = el('td', { dataset: { field: field.name }, class: editable ? 'editable' : '' });
      const cell = el('span', { class: 'cell', title: editable ? 'Click to edit' : '' }, cellNode(field, row));
      if (editable) cell.addEventListener('click', () => openEditor(td, row, field));
      td.append(cell);
      tr.append(td);
    }
    return tr;
  }

  function relationLink(model, row, field) {
    let text;
    if (field.fields.length > 0) {
      const values = field.fields.map((f) => row[f]);
      if (values.some((v) => v === null || v === undefined)) return el('span', { class: 'null', text: 'null' });
      text = `${field.model} ${values.join(', ')}`;
    } else {
      text = field.list ? `${field.name} →` : `${field.model} →`;
    }
    return el('a', {
      class: 'link',
      href: '#',
      title: field.list ? `Open the ${field.model} rows of this record` : `Open the related ${field.model}`,
      text,
      onclick: (event) => {
        event.preventDefault();
        followRelation(model, row, field);
      },
    });
  }

  function followRelation(model, row, field) {
    navigate({
      ...defaultView(field.model),
      related: { model: model.name, field: field.name, key: rowKey(model, row) },
      open: !field.list,
    });
  }

  function renderPager() {
    const { skip, take } = state.view;
    const total = state.total;
    const from = total === 0 ? 0 : skip + 1;
    const to = Math.min(skip + state.rows.length, total);
    $('row-total').textContent = `${total.toLocaleString('en-US')} row${total === 1 ? '' : 's'}`;
    $('page-info').textContent = `${from.toLocaleString('en-US')}–${to.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`;
    $('first-page').disabled = $('prev-page').disabled = skip === 0;
    $('next-page').disabled = $('last-page').disabled = skip + take >= total;
    $('page-size').value = String(take);
  }

  // ---------------------------------------------------------------- filters

  const OPS = {
    equals: '=',
    not: '≠',
    contains: 'contains',
    startsWith: 'starts with',
    endsWith: 'ends with',
    gt: '>',
    gte: '≥',
    lt: '<',
    lte: '≤',
    isNull: 'is null',
    isNotNull: 'is not null',
    has: 'has',
  };

  function opsFor(field) {
    let ops;
    if (field.list) ops = ['has'];
    else {
      switch (field.input) {
        case 'text':
          ops = ['contains', 'equals', 'not', 'startsWith', 'endsWith'];
          break;
        case 'int':
        case 'bigint':
        case 'float':
        case 'decimal':
          ops = ['equals', 'not', 'gt', 'gte', 'lt', 'lte'];
          break;
        case 'datetime':
          ops = ['gt', 'lt', 'gte', 'lte', 'equals'];
          break;
        case 'boolean':
        case 'enum':
          ops = ['equals', 'not'];
          break;
        case 'json':
          ops = ['contains'];
          break;
        case 'bytes':
          ops = ['equals', 'not'];
          break;
        default:
          ops = [];
      }
    }
    if (field.nullable) ops = ops.concat(['isNull', 'isNotNull']);
    return ops;
  }

  function filterInput(field, op) {
    if (op === 'isNull' || op === 'isNotNull') return null;
    const input = field.list ? field.itemInput : field.input;
    if (input === 'boolean') {
      return el('select', { id: 'filter-value' }, el('option', { value: 'true', text: 'true' }), el('option', { value: 'false', text: 'false' }));
    }
    if (input === 'enum') {
      return el('select', { id: 'filter-value' }, (state.enums[field.enum] || []).map((v) => el('option', { value: v.dbName, text: v.name })));
    }
    if (input === 'datetime' && op !== 'contains') {
      return el('input', { id: 'filter-value', type: 'datetime-local', step: '0.001', title: 'UTC' });
    }
    if ((input === 'int' || input === 'float') && op !== 'contains') {
      return el('input', { id: 'filter-value', type: 'number', step: input === 'int' ? '1' : 'any', placeholder: 'value' });
    }
    return el('input', { id: 'filter-value', type: 'text', placeholder: 'value' });
  }

  function setupFilterForm() {
    const fieldSelect = $('filter-field');
    const filterable = state.model.fields.filter((f) => f.kind === 'scalar' && opsFor(f).length > 0);
    fieldSelect.replaceChildren(...filterable.map((f) => el('option', { value: f.name, text: f.name })));
    $('filter-form').hidden = filterable.length === 0;
    updateFilterOps();
  }

  function currentFilterField() {
    return state.model.fields.find((f) => f.name === $('filter-field').value);
  }

  function updateFilterOps() {
    const field = currentFilterField();
    if (!field) return;
    $('filter-op').replaceChildren(...opsFor(field).map((op) => el('option', { value: op, text: OPS[op] })));
    updateFilterValue();
  }

  function updateFilterValue() {
    const field = currentFilterField();
    if (!field) return;
    const input = filterInput(field, $('filter-op').value);
    $('filter-value-slot').replaceChildren(...(input ? [input] : []));
  }

  function addFilter(event) {
    event.preventDefault();
    const field = currentFilterField();
    if (!field) return;
    const op = $('filter-op').value;
    const filter = { field: field.name, op };
    const input = $('filter-value');
    if (input) {
      let value = input.value;
      if ((field.list ? field.itemInput : field.input) === 'boolean') value = value === 'true';
      if (value === '' && field.input !== 'text') {
        input.classList.add('invalid');
        input.focus();
        return;
      }
      filter.value = value;
    }
    change({ filters: state.view.filters.concat([filter]), skip: 0 });
  }

  function describeFilter(filter) {
    const field = state.model.fields.find((f) => f.name === filter.field);
    let value = '';
    if (filter.value !== undefined && filter.value !== null) {
      value = field && field.input === 'enum' ? enumLabel(field, filter.value) : JSON.stringify(filter.value);
    }
    return `${filter.field} ${OPS[filter.op] || filter.op} ${value}`.trim();
  }

  function renderChips() {
    const chips = state.view.filters.map((filter, index) =>
      el(
        'span',
        { class: 'chip', dataset: { filter: String(index) } },
        describeFilter(filter),
        el('button', {
          type: 'button',
          title: 'Remove filter',
          text: '✕',
          onclick: () => change({ filters: state.view.filters.filter((_, i) => i !== index), skip: 0 }),
        })
      )
    );
    const related = state.view.related;
    if (related) {
      const key = Object.values(related.key).join(', ');
      chips.unshift(
        el(
          'span',
          { class: 'chip', dataset: { related: '1' } },
          `${related.model} ${key} › ${related.field}`,
          el('button', { type: 'button', title: 'Show all rows', text: '✕', onclick: () => change({ related: null, skip: 0 }) })
        )
      );
      const link = manyToManyLink();
      if (link) {
        const keyName = state.model.key[0];
        const input = el('input', { name: 'link-target', placeholder: `${keyName} of a ${state.model.name}`, required: true });
        chips.splice(
          1,
          0,
          el(
            'form',
            {
              class: 'link-form',
              onsubmit: (event) => {
                event.preventDefault();
                setLink({ [keyName]: input.value }, true);
              },
            },
            input,
            el('button', { type: 'submit', text: 'Link', title: `Link a ${state.model.name} to ${related.model} ${key}` })
          )
        );
      }
    }
    $('chips').replaceChildren(...chips);
  }

  // ---------------------------------------------------------------- editing a value

  let editing = null;

  /** An input for one value of `field` (the cell editor and the add-row form share it). */
  function valueEditor(field, value, { forCreate = false } = {}) {
    const input = field.input;
    const name = field.name;
    if (input === 'list' || input === 'json') {
      const text = value === null || value === undefined ? '' : JSON.stringify(value, null, 2);
      const area = el('textarea', { name, spellcheck: false });
      area.value = text;
      const status = el('div', { class: 'json-status', text: input === 'list' ? 'a JSON list' : 'JSON' });
      const check = () => {
        const error = jsonProblem(area.value, input === 'list', forCreate);
        area.classList.toggle('invalid', Boolean(error));
        status.classList.toggle('bad', Boolean(error));
        status.textContent = error || (input === 'list' ? 'valid JSON list' : 'valid JSON');
        if (editing) $('editor-save').disabled = Boolean(error);
      };
      area.addEventListener('input', check);
      const wrap = el('div', {}, area, status);
      wrap.read = () => {
        const problem = jsonProblem(area.value, input === 'list', forCreate);
        if (problem) throw new Error(problem);
        if (area.value.trim() === '') return undefined;
        return input === 'list' ? JSON.parse(area.value) : area.value;
      };
      wrap.focusTarget = area;
      setTimeout(check, 0);
      return wrap;
    }
    if (input === 'boolean' && !forCreate) {
      const box = el('input', { type: 'checkbox', name, checked: value === true });
      const label = el('span', { text: String(value === true) });
      box.addEventListener('change', () => (label.textContent = String(box.checked)));
      const wrap = el('label', { class: 'toggle' }, box, label);
      wrap.read = () => box.checked;
      wrap.focusTarget = box;
      return wrap;
    }
    let node;
    if (input === 'boolean') {
      node = el('select', { name }, el('option', { value: '', text: field.default ? `default: ${field.default}` : '—' }), el('option', { value: 'true', text: 'true' }), el('option', { value: 'false', text: 'false' }));
      node.value = value === true ? 'true' : value === false ? 'false' : '';
    } else if (input === 'enum') {
      const options = (state.enums[field.enum] || []).map((v) => el('option', { value: v.dbName, text: v.name }));
      if (forCreate) options.unshift(el('option', { value: '', text: field.default ? `default: ${field.default}` : field.nullable ? 'null' : '— choose —' }));
      node = el('select', { name }, options);
      node.value = value === null || value === undefined ? (forCreate ? '' : node.value) : value;
    } else if (input === 'datetime') {
      node = el('input', { type: 'datetime-local', step: '0.001', name, title: 'UTC' });
      if (typeof value === 'string') node.value = value.replace(/Z$/, '').slice(0, 23);
    } else if (input === 'int' || input === 'float') {
      node = el('input', { type: 'number', step: input === 'int' ? '1' : 'any', name });
      if (value !== null && value !== undefined) node.value = String(value);
    } else {
      node = el('input', { type: 'text', name, spellcheck: false });
      if (input === 'bigint' || input === 'decimal') node.inputMode = 'decimal';
      if (value !== null && value !== undefined) node.value = String(value);
    }
    if (forCreate && field.default && node.tagName === 'INPUT') node.placeholder = `default: ${field.default}`;
    node.read = () => {
      const raw = node.value;
      if (input === 'boolean') return raw === '' ? undefined : raw === 'true';
      if (raw === '') {
        // In the add-row form, empty means "not given": the default, or null.
        if (forCreate) return undefined;
        if (input !== 'text' && input !== 'bytes') throw new Error(field.nullable ? 'enter a value, or set to null' : 'enter a value');
      }
      if ((input === 'int' || input === 'float') && !node.checkValidity()) throw new Error(`not a valid ${input === 'int' ? 'integer' : 'number'}`);
      if ((input === 'bigint' && !/^-?\d+$/.test(raw.trim())) || (input === 'decimal' && !/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw.trim()))) {
        throw new Error(`not a valid ${input === 'bigint' ? 'integer' : 'decimal number'}`);
      }
      if (input === 'datetime') return raw.length === 16 ? `${raw}:00.000Z` : `${raw}Z`;
      return raw;
    };
    node.focusTarget = node;
    return node;
  }

  function jsonProblem(text, mustBeList, emptyAllowed) {
    if (text.trim() === '') return emptyAllowed ? null : 'invalid JSON: empty';
    try {
      const value = JSON.parse(text);
      if (mustBeList && !Array.isArray(value)) return 'expected a JSON list ([...])';
      return null;
    } catch (e) {
      return `invalid JSON: ${e.message}`;
    }
  }

  function openEditor(anchor, row, field) {
    closeEditor();
    const model = state.model;
    const editor = valueEditor(field, row[field.name]);
    editing = { anchor, row, field, editor, model };
    $('editor-title').textContent = field.name;
    $('editor-type').textContent = typeLabel(field) + (field.input === 'datetime' ? ' (UTC)' : '');
    $('editor-slot').replaceChildren(editor);
    $('editor-error').hidden = true;
    $('editor-null').hidden = !field.nullable;
    $('editor-save').disabled = false;
    const box = $('editor');
    box.hidden = false;
    const rect = anchor.getBoundingClientRect();
    const width = box.offsetWidth;
    const height = box.offsetHeight;
    let top = rect.bottom + 4;
    if (top + height > window.innerHeight - 8) top = Math.max(8, rect.top - height - 4);
    box.style.top = `${top}px`;
    box.style.left = `${Math.max(8, Math.min(rect.left, window.innerWidth - width - 8))}px`;
    const target = editor.focusTarget;
    target.focus();
    if (target.select && target.type === 'text') target.select();
  }

  function closeEditor() {
    if (!editing) return;
    editing.anchor.classList.remove('failed');
    editing = null;
    $('editor').hidden = true;
  }

  async function saveEditor(setNull) {
    if (!editing) return;
    const { anchor, row, field, editor, model } = editing;
    let value;
    try {
      value = setNull ? null : editor.read();
    } catch (e) {
      showError($('editor-error'), { message: e.message });
      return;
    }
    if (value === undefined) value = null;
    anchor.classList.add('saving');
    $('editor-save').disabled = true;
    try {
      const result = await api(`/api/models/${encodeURIComponent(model.name)}/update`, {
        key: rowKey(model, row),
        values: { [field.name]: value },
      });
      anchor.classList.remove('saving');
      const current = editing;
      closeEditor();
      applySavedRow(model, row, result.row, field.name);
      if (current && current.anchor.closest('#record')) openRecord(result.row);
    } catch (error) {
      anchor.classList.remove('saving');
      anchor.classList.add('failed');
      $('editor-save').disabled = false;
      if (editing) showError($('editor-error'), error);
    }
  }

  /** Puts a row the server returned in place of the one edited, and flashes the cell. */
  function applySavedRow(model, oldRow, newRow, fieldName) {
    const index = state.rows.indexOf(oldRow);
    const oldKey = rowKeyString(model, oldRow);
    let target = index;
    if (target < 0) target = state.rows.findIndex((r) => rowKeyString(model, r) === oldKey);
    if (target >= 0) state.rows[target] = newRow;
    if (state.selected.delete(oldKey)) state.selected.add(rowKeyString(model, newRow));
    renderRows();
    const tr = $('grid').querySelector(`tbody tr[data-index="${target}"]`);
    const td = tr && tr.querySelector(`td[data-field="${CSS.escape(fieldName)}"]`);
    if (td) td.classList.add('saved');
  }

  // ---------------------------------------------------------------- record drawer

  let recordRow = null;

  function openRecord(row) {
    const model = state.model;
    recordRow = row;
    $('record-title').textContent = `${model.name} ${model.key.map((k) => row[k]).join(', ')}`;
    const items = [];
    for (const field of model.fields) {
      items.push(el('dt', { dataset: { field: field.name } }, field.name, el('span', { class: 'type', text: typeLabel(field) })));
      if (field.kind === 'relation') {
        items.push(el('dd', { dataset: { field: field.name } }, relationLink(model, row, field)));
        continue;
      }
      const editable = canEdit(model, row, field);
      const dd = el('dd', { dataset: { field: field.name }, class: editable ? 'editable' : '', title: editable ? 'Click to edit' : '' }, cellNode(field, row));
      if (editable) dd.addEventListener('click', () => openEditor(dd, recordRow, field));
      items.push(dd);
    }
    $('record-fields').replaceChildren(...items);
    $('record').hidden = false;
  }

  function closeRecord() {
    recordRow = null;
    $('record').hidden = true;
  }

  // ---------------------------------------------------------------- add a row

  let createEditors = new Map();

  function openCreate() {
    const model = state.model;
    createEditors = new Map();
    $('create-model').textContent = model.name;
    const rows = [];
    for (const field of model.fields) {
      if (field.kind !== 'scalar' || field.readOnly) continue;
      const editor = valueEditor(field, null, { forCreate: true });
      createEditors.set(field.name, editor);
      let hint;
      if (field.updatedAt) hint = '@updatedAt: set to now when left empty';
      else if (field.default) hint = `default: ${field.default}`;
      else if (field.requiredOnCreate) hint = 'required';
      else if (field.list) hint = 'empty: no list';
      else hint = 'optional: empty means null';
      rows.push(
        el(
          'div',
          { class: 'form-row', dataset: { field: field.name } },
          el(
            'label',
            { class: 'name' },
            field.name,
            field.requiredOnCreate ? el('span', { class: 'required', text: '*' }) : null,
            el('span', { class: 'type', text: typeLabel(field) })
          ),
          el('div', {}, editor, el('div', { class: 'hint', text: hint }))
        )
      );
    }
    $('create-form').replaceChildren(...rows);
    $('create-error').hidden = true;
    $('create-save').disabled = false;
    $('backdrop').hidden = false;
    $('create-dialog').hidden = false;
    const first = $('create-form').querySelector('input, select, textarea');
    if (first) first.focus();
  }

  function closeModals() {
    $('backdrop').hidden = true;
    $('create-dialog').hidden = true;
    $('delete-dialog').hidden = true;
  }

  function markFormRow(name, message) {
    const row = $('create-form').querySelector(`.form-row[data-field="${CSS.escape(name)}"]`);
    if (!row) return;
    row.classList.add('failed');
    const box = row.querySelector('.row-error') || el('div', { class: 'row-error' });
    box.textContent = message;
    row.lastChild.append(box);
  }

  async function saveCreate() {
    const model = state.model;
    for (const row of $('create-form').querySelectorAll('.form-row')) {
      row.classList.remove('failed');
      const box = row.querySelector('.row-error');
      if (box) box.remove();
    }
    $('create-error').hidden = true;
    const values = {};
    let problems = 0;
    for (const field of model.fields) {
      const node = createEditors.get(field.name);
      if (!node) continue;
      let value;
      try {
        value = node.read();
      } catch (e) {
        markFormRow(field.name, e.message);
        problems += 1;
        continue;
      }
      if (value === undefined) {
        if (field.requiredOnCreate) {
          markFormRow(field.name, 'enter a value: this field has no default');
          problems += 1;
        }
        continue;
      }
      values[field.name] = value;
    }
    if (problems > 0) {
      showError($('create-error'), { message: `${problems} field${problems === 1 ? ' needs' : 's need'} attention` });
      return;
    }
    $('create-save').disabled = true;
    try {
      const result = await api(`/api/models/${encodeURIComponent(model.name)}/create`, { values });
      closeModals();
      await load();
      loadCounts();
      openRecord(result.row);
    } catch (error) {
      $('create-save').disabled = false;
      showError($('create-error'), error);
      for (const name of error.fields) markFormRow(name, error.message);
    }
  }

  // ---------------------------------------------------------------- delete rows

  function openDelete() {
    const model = state.model;
    const n = state.selected.size;
    if (n === 0) return;
    $('delete-message').textContent = `Delete ${n} ${model.name} row${n === 1 ? '' : 's'}? This cannot be undone.`;
    $('delete-error').hidden = true;
    $('delete-confirm').disabled = false;
    $('backdrop').hidden = false;
    $('delete-dialog').hidden = false;
    $('delete-cancel').focus();
  }

  async function confirmDelete() {
    const model = state.model;
    const keys = [...state.selected].map((text) => {
      const values = JSON.parse(text);
      return Object.fromEntries(model.key.map((k, i) => [k, values[i]]));
    });
    $('delete-confirm').disabled = true;
    try {
      await api(`/api/models/${encodeURIComponent(model.name)}/delete`, { keys });
      closeModals();
      state.selected = new Set();
      await load();
      loadCounts();
    } catch (error) {
      $('delete-confirm').disabled = false;
      showError($('delete-error'), error);
    }
  }

  // ---------------------------------------------------------------- wiring

  function wire() {
    $('refresh-counts').addEventListener('click', loadCounts);
    $('reload').addEventListener('click', () => {
      load();
      loadCounts();
    });
    $('filter-field').addEventListener('change', updateFilterOps);
    $('filter-op').addEventListener('change', updateFilterValue);
    $('filter-form').addEventListener('submit', addFilter);
    $('first-page').addEventListener('click', () => change({ skip: 0 }));
    $('prev-page').addEventListener('click', () => change({ skip: Math.max(0, state.view.skip - state.view.take) }));
    $('next-page').addEventListener('click', () => change({ skip: state.view.skip + state.view.take }));
    $('last-page').addEventListener('click', () => {
      const take = state.view.take;
      change({ skip: Math.max(0, Math.floor((state.total - 1) / take) * take) });
    });
    $('page-size').addEventListener('change', (event) => change({ take: Number(event.target.value), skip: 0 }));
    $('editor-save').addEventListener('click', () => saveEditor(false));
    $('editor-null').addEventListener('click', () => saveEditor(true));
    $('editor-cancel').addEventListener('click', closeEditor);
    $('editor').addEventListener('keydown', (event) => {
      if (event.key === 'Escape') closeEditor();
      else if (event.key === 'Enter' && (event.target.tagName !== 'TEXTAREA' || event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (!$('editor-save').disabled) saveEditor(false);
      }
    });
    document.addEventListener('mousedown', (event) => {
      if (editing && !$('editor').contains(event.target) && !editing.anchor.contains(event.target)) closeEditor();
    });
    $('add-row').addEventListener('click', openCreate);
    $('create-cancel').addEventListener('click', closeModals);
    $('create-save').addEventListener('click', saveCreate);
    $('delete-selected').addEventListener('click', openDelete);
    $('delete-cancel').addEventListener('click', closeModals);
    $('delete-confirm').addEventListener('click', confirmDelete);
    $('backdrop').addEventListener('click', closeModals);
    $('record-close').addEventListener('click', closeRecord);
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !$('backdrop').hidden) closeModals();
    });
    window.addEventListener('hashchange', load);
  }

  async function start() {
    wire();
    try {
      state.schema = await api('/api/schema');
    } catch (error) {
      $('welcome').replaceChildren(el('h2', { text: 'The studio cannot start' }), el('p', {}, errorNode(error)));
      return;
    }
    state.enums = state.schema.enums;
    for (const model of state.schema.models) state.models.set(model.name, model);
    renderModels();
    loadCounts();
    await load();
    document.body.dataset.ready = '1';
  }

  start();
})();
