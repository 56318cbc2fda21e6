/* The inner loops of the segment stream in C: tokenizer.py's split and envelope.py's body.
 *
 * Segments(pieces, start, segment_type) is an iterator over the segments of the text pieces
 * ``pieces`` yields, the same ones tokenizer._split_python gives. On the first next() it calls
 * ``start(pieces) -> (head, terminator, separator, known_tags, check)``, Python code that
 * reads the ISA and the delimiters, so that nothing is read before the first segment is
 * asked for. Each raw segment runs up to the next terminator; leading " \t\r\n\0" is skipped
 * and a segment left empty is not counted; its elements are split at the separator and it is
 * built as ``segment_type((tag, fields, position))`` without calling Python code. An empty
 * piece, like the end of ``pieces``, ends the text held so far, as in the Python loop. A
 * segment whose tag is not in ``known_tags`` is given to ``check(segment)`` first: the tag
 * checks and their errors (and those of a later ISA) stay in tokenizer.py.
 *
 * read_body(segments, body) -> Segment | None appends segments of ``segments`` to the list
 * ``body`` up to and including an SE, which it returns; it returns, without appending, an
 * ISA, GS, ST, GE or IEA met first, and None when ``segments`` ends first.
 *
 * dispatch(batch, start, handlers, stops, found) -> int is dispatch.py's loop: from
 * batch[start], each segment whose id is in ``stops`` ends it (its index is returned, else
 * len(batch)); each other whose id has a handler is given to it, and what the handler returns
 * is added to the list ``found`` (unless it is None).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static int
is_leading_space(Py_UCS4 c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0;
}

/* The index of ``wanted`` in text[start:end], or ``end`` when it is not there. */
static Py_ssize_t
find_char(int kind, const void *data, Py_ssize_t start, Py_ssize_t end, Py_UCS4 wanted)
{
    if (kind == PyUnicode_1BYTE_KIND) {
        if (wanted > 0xFF) {
            return end;
        }
        const Py_UCS1 *bytes = (const Py_UCS1 *)data;
        const void *found = memchr(bytes + start, (int)wanted, (size_t)(end - start));
        return found ? (const Py_UCS1 *)found - bytes : end;
    }
    for (Py_ssize_t i = start; i < end; i++) {
        if (PyUnicode_READ(kind, data, i) == wanted) {
            return i;
        }
    }
    return end;
}

/* Short texts seen before (segment ids, qualifiers, codes, dates), one per slot of a table
 * indexed by a hash of the characters: a repeated "DTM", "472" or "CO" is the same str
 * object again, so it is neither allocated nor freed nor hashed twice. */
#define SHORT_TEXT 8
#define SHORT_SLOTS 4096

typedef struct {
    PyObject *slots[SHORT_SLOTS];
} ShortTexts;

static void
short_texts_clear(ShortTexts *texts)
{
    for (int slot = 0; slot < SHORT_SLOTS; slot++) {
        Py_CLEAR(texts->slots[slot]);
    }
}

static PyObject *
short_text(ShortTexts *texts, const Py_UCS1 *chars, Py_ssize_t length)
{
    unsigned hash = (unsigned)length;
    for (Py_ssize_t at = 0; at < length; at++) {
        hash = hash * 31u + chars[at];
    }
    PyObject **slot = &texts->slots[(hash ^ (hash >> 12)) & (SHORT_SLOTS - 1)];
    PyObject *known = *slot;
    if (known != NULL && PyUnicode_GET_LENGTH(known) == length &&
        memcmp(PyUnicode_1BYTE_DATA(known), chars, (size_t)length) == 0) {
        return Py_NewRef(known);
    }
    PyObject *text = PyUnicode_FromKindAndData(PyUnicode_1BYTE_KIND, chars, length);
    if (text != NULL && PyUnicode_KIND(text) == PyUnicode_1BYTE_KIND) {
        Py_XSETREF(*slot, Py_NewRef(text));
    }
    return text;
}

static PyObject *
substring(ShortTexts *texts, PyObject *text, int kind, const void *data, Py_ssize_t start,
          Py_ssize_t end)
{
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *chars = (const Py_UCS1 *)data + start;
        if (end - start > 1 && end - start <= SHORT_TEXT) {
            return short_text(texts, chars, end - start);
        }
        return PyUnicode_FromKindAndData(kind, chars, end - start);
    }
    return PyUnicode_Substring(text, start, end);
}

/* The fields of text[start:end] split at ``separator``, as a new tuple. */
static PyObject *
split_fields(ShortTexts *texts, PyObject *text, int kind, const void *data, Py_ssize_t start,
             Py_ssize_t end, Py_UCS4 separator)
{
    Py_ssize_t count = 1;
    for (Py_ssize_t at = find_char(kind, data, start, end, separator); at < end;
         at = find_char(kind, data, at + 1, end, separator)) {
        count++;
    }
    PyObject *fields = PyTuple_New(count);
    if (fields == NULL) {
        return NULL;
    }
    Py_ssize_t from = start;
    for (Py_ssize_t index = 0; index < count; index++) {
        Py_ssize_t to = find_char(kind, data, from, end, separator);
        PyObject *field = substring(texts, text, kind, data, from, to);
        if (field == NULL) {
            Py_DECREF(fields);
            return NULL;
        }
        PyTuple_SET_ITEM(fields, index, field);
        from = to + 1;
    }
    return fields;
}

/* segment_type((fields[0], fields, position)) built directly; steals ``fields``.
 *
 * A segment holds only text and an int, so it can never be part of a reference cycle: it and
 * its fields are taken off the cycle collector's lists (as CPython does for such tuples when
 * it first sees them), so millions of segments held in a transaction set or a list cost the
 * collector nothing. */
static PyObject *
make_segment(PyTypeObject *segment_type, PyObject *fields, Py_ssize_t position)
{
    PyObject *number = PyLong_FromSsize_t(position);
    if (number == NULL) {
        Py_DECREF(fields);
        return NULL;
    }
    PyObject *segment = segment_type->tp_alloc(segment_type, 3);
    if (segment == NULL) {
        Py_DECREF(number);
        Py_DECREF(fields);
        return NULL;
    }
    PyObject *tag = PyTuple_GET_ITEM(fields, 0);
    Py_INCREF(tag);
    PyTuple_SET_ITEM(segment, 0, tag);
    PyTuple_SET_ITEM(segment, 1, fields);
    PyTuple_SET_ITEM(segment, 2, number);
    PyObject_GC_UnTrack(fields);
    PyObject_GC_UnTrack(segment);
    return segment;
}


/* -- Segments --------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    PyObject *pieces;       /* iterator of str */
    PyObject *start;        /* called once, then cleared */
    PyTypeObject *segment_type;
    PyObject *known_tags;   /* set of str */
    PyObject *check;        /* check(segment) for a tag not in known_tags */
    PyObject *text;         /* what is held: the rest of earlier pieces and the last one */
    Py_ssize_t offset;      /* where the next segment of ``text`` starts */
    Py_ssize_t position;    /* of the last segment made, 1-based in the file */
    Py_UCS4 terminator, separator;
    int flush;              /* true: the end of ``text`` ends a segment */
    int finished;
    ShortTexts *short_texts;
} Segments;

static int
segments_traverse(Segments *self, visitproc visit, void *arg)
{
    Py_VISIT(self->pieces);
    Py_VISIT(self->start);
    Py_VISIT(self->segment_type);
    Py_VISIT(self->known_tags);
    Py_VISIT(self->check);
    return 0;
}

static int
segments_clear(Segments *self)
{
    Py_CLEAR(self->pieces);
    Py_CLEAR(self->start);
    Py_CLEAR(self->segment_type);
    Py_CLEAR(self->known_tags);
    Py_CLEAR(self->check);
    Py_CLEAR(self->text);
    if (self->short_texts != NULL) {
        short_texts_clear(self->short_texts);
    }
    return 0;
}

static void
segments_dealloc(Segments *self)
{
    PyObject_GC_UnTrack(self);
    segments_clear(self);
    PyMem_Free(self->short_texts);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
segments_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *pieces, *start, *segment_type;
    static char *keywords[] = {"pieces", "start", "segment_type", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOO!:Segments", keywords, &pieces, &start,
                                     &PyType_Type, &segment_type)) {
        return NULL;
    }
    if (!PyType_IsSubtype((PyTypeObject *)segment_type, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "segment_type must be a tuple type");
        return NULL;
    }
    Segments *self = (Segments *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->pieces = PyObject_GetIter(pieces);
    if (self->pieces == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    self->short_texts = PyMem_Calloc(1, sizeof(ShortTexts));
    if (self->short_texts == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    self->start = Py_NewRef(start);
    self->segment_type = (PyTypeObject *)Py_NewRef(segment_type);
    return (PyObject *)self;
}

static Py_UCS4
one_char(PyObject *text, const char *what)
{
    if (!PyUnicode_Check(text) || PyUnicode_GET_LENGTH(text) != 1) {
        PyErr_Format(PyExc_TypeError, "%s must be one character", what);
        return (Py_UCS4)-1;
    }
    return PyUnicode_READ_CHAR(text, 0);
}

/* Calls start(pieces) and takes what it gives. */
static int
segments_begin(Segments *self)
{
    PyObject *started = PyObject_CallOneArg(self->start, self->pieces);
    Py_CLEAR(self->start);
    if (started == NULL) {
        return -1;
    }
    PyObject *head, *terminator, *separator, *known_tags, *check;
    if (!PyArg_ParseTuple(started, "UUUO!O:start", &head, &terminator, &separator,
                          &PySet_Type, &known_tags, &check)) {
        Py_DECREF(started);
        return -1;
    }
    self->terminator = one_char(terminator, "the terminator");
    self->separator = one_char(separator, "the separator");
    if (PyErr_Occurred()) {
        Py_DECREF(started);
        return -1;
    }
    self->text = Py_NewRef(head);
    self->known_tags = Py_NewRef(known_tags);
    self->check = Py_NewRef(check);
    Py_DECREF(started);
    return 0;
}

/* Takes the next piece after what is held: 1 when there is one, 0 at the end, -1 on error. */
static int
segments_refill(Segments *self)
{
    PyObject *piece = PyIter_Next(self->pieces);
    if (piece == NULL) {
        return PyErr_Occurred() ? -1 : 0;
    }
    if (!PyUnicode_Check(piece)) {
        Py_DECREF(piece);
        PyErr_SetString(PyExc_TypeError, "the pieces of X12 text must be str");
        return -1;
    }
    Py_ssize_t held = PyUnicode_GET_LENGTH(self->text);
    PyObject *rest = self->offset == 0 ? Py_NewRef(self->text)
                                       : PyUnicode_Substring(self->text, self->offset, held);
    if (rest == NULL) {
        Py_DECREF(piece);
        return -1;
    }
    self->flush = PyUnicode_GET_LENGTH(piece) == 0;
    PyObject *joined = PyUnicode_Concat(rest, piece);
    Py_DECREF(rest);
    Py_DECREF(piece);
    if (joined == NULL) {
        return -1;
    }
    Py_SETREF(self->text, joined);
    self->offset = 0;
    return 1;
}

/* The next segment of what is held, or NULL with no error set when it needs another piece. */
static PyObject *
segments_take(Segments *self)
{
    PyObject *text = self->text;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    while (self->offset < length) {
        Py_ssize_t end = find_char(kind, data, self->offset, length, self->terminator);
        if (end == length && !self->flush) {
            return NULL;  /* an unfinished segment: it waits for the next piece */
        }
        Py_ssize_t start = self->offset;
        self->offset = end < length ? end + 1 : length;
        while (start < end && is_leading_space(PyUnicode_READ(kind, data, start))) {
            start++;
        }
        if (start == end) {
            continue;
        }
        PyObject *fields = split_fields(self->short_texts, text, kind, data, start, end,
                                        self->separator);
        if (fields == NULL) {
            return NULL;
        }
        int known = PySet_Contains(self->known_tags, PyTuple_GET_ITEM(fields, 0));
        if (known < 0) {
            Py_DECREF(fields);
            return NULL;
        }
        PyObject *segment = make_segment(self->segment_type, fields, ++self->position);
        if (segment != NULL && !known) {
            PyObject *checked = PyObject_CallOneArg(self->check, segment);
            if (checked == NULL) {
                Py_CLEAR(segment);
            }
            Py_XDECREF(checked);
        }
        return segment;
    }
    return NULL;
}

static PyObject *
segments_next(Segments *self)
{
    if (self->finished) {
        return NULL;
    }
    if (self->start != NULL && segments_begin(self) < 0) {
        self->finished = 1;
        return NULL;
    }
    for (;;) {
        PyObject *segment = segments_take(self);
        if (segment != NULL) {
            return segment;
        }
        if (PyErr_Occurred()) {
            break;
        }
        if (self->flush && PyUnicode_GET_LENGTH(self->text) == self->offset &&
            self->pieces == NULL) {
            break;  /* all read */
        }
        int refilled = segments_refill(self);
        if (refilled < 0) {
            break;
        }
        if (refilled == 0) {
            self->flush = 1;  /* the end of the pieces ends the last segment */
            Py_CLEAR(self->pieces);
        }
    }
    self->finished = 1;
    return NULL;
}

static PyTypeObject SegmentsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "claimbridge.x12._stream_c.Segments",
    .tp_basicsize = sizeof(Segments),
    .tp_dealloc = (destructor)segments_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The segments of pieces of X12 text; see tokenizer.py.",
    .tp_traverse = (traverseproc)segments_traverse,
    .tp_clear = (inquiry)segments_clear,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)segments_next,
    .tp_new = segments_new,
};

/* -- read_body ---------------------------------------------------------------------------- */

static int
is_control_tag(PyObject *tag)
{
    if (!PyUnicode_Check(tag) || PyUnicode_KIND(tag) != PyUnicode_1BYTE_KIND) {
        return 0;
    }
    Py_ssize_t length = PyUnicode_GET_LENGTH(tag);
    const char *chars = (const char *)PyUnicode_1BYTE_DATA(tag);
    if (length == 2) {
        return memcmp(chars, "GS", 2) == 0 || memcmp(chars, "ST", 2) == 0 ||
               memcmp(chars, "GE", 2) == 0;
    }
    return length == 3 && (memcmp(chars, "ISA", 3) == 0 || memcmp(chars, "IEA", 3) == 0);
}

static int
is_se(PyObject *tag)
{
    return PyUnicode_Check(tag) && PyUnicode_KIND(tag) == PyUnicode_1BYTE_KIND &&
           PyUnicode_GET_LENGTH(tag) == 2 && memcmp(PyUnicode_1BYTE_DATA(tag), "SE", 2) == 0;
}

static PyObject *
read_body(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyList_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "read_body(segments, body: list)");
        return NULL;
    }
    PyObject *segments = args[0], *body = args[1];
    iternextfunc next = Py_TYPE(segments)->tp_iternext;
    if (next == NULL) {
        PyErr_SetString(PyExc_TypeError, "read_body needs an iterator of segments");
        return NULL;
    }
    PyObject *segment;
    while ((segment = next(segments)) != NULL) {
        if (!PyTuple_Check(segment) || PyTuple_GET_SIZE(segment) < 1) {
            Py_DECREF(segment);
            PyErr_SetString(PyExc_TypeError, "read_body takes Segment values");
            return NULL;
        }
        PyObject *tag = PyTuple_GET_ITEM(segment, 0);
        if (is_control_tag(tag)) {
            return segment;
        }
        if (PyList_Append(body, segment) < 0) {
            Py_DECREF(segment);
            return NULL;
        }
        if (is_se(tag)) {
            return segment;
        }
        Py_DECREF(segment);
    }
    if (PyErr_Occurred()) {
        if (!PyErr_ExceptionMatches(PyExc_StopIteration)) {
            return NULL;
        }
        PyErr_Clear();
    }
    Py_RETURN_NONE;
}

/* The handler of ``tag`` in ``handlers`` (a new reference), or NULL: with an error set or not. */
static PyObject *
handler_of(PyObject *handlers, PyObject *tag)
{
    if (PyDict_CheckExact(handlers)) {
        return Py_XNewRef(PyDict_GetItemWithError(handlers, tag));
    }
    PyObject *handler = PyObject_GetItem(handlers, tag);
    if (handler == NULL && PyErr_ExceptionMatches(PyExc_KeyError)) {
        PyErr_Clear();
    }
    return handler;
}

static PyObject *
dispatch(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyList_Check(args[0]) || !PyAnySet_Check(args[3]) ||
        (args[4] != Py_None && !PyList_Check(args[4]))) {
        PyErr_SetString(PyExc_TypeError,
                        "dispatch(batch: list, start, handlers, stops: set, found: list | None)");
        return NULL;
    }
    PyObject *batch = args[0], *handlers = args[2], *stops = args[3], *found = args[4];
    Py_ssize_t index = PyLong_AsSsize_t(args[1]);
    if (index == -1 && PyErr_Occurred()) {
        return NULL;
    }
    for (; index >= 0 && index < PyList_GET_SIZE(batch); index++) {
        PyObject *segment = PyList_GET_ITEM(batch, index);
        if (!PyTuple_Check(segment) || PyTuple_GET_SIZE(segment) < 1) {
            PyErr_SetString(PyExc_TypeError, "dispatch takes Segment values");
            return NULL;
        }
        PyObject *tag = PyTuple_GET_ITEM(segment, 0);
        int stop = PySet_Contains(stops, tag);
        if (stop < 0) {
            return NULL;
        }
        if (stop) {
            break;
        }
        PyObject *handler = handler_of(handlers, tag);
        if (handler == NULL) {
            if (PyErr_Occurred()) {
                return NULL;
            }
            continue;
        }
        Py_INCREF(segment);
        PyObject *result = PyObject_CallOneArg(handler, segment);
        Py_DECREF(segment);
        Py_DECREF(handler);
        if (result == NULL) {
            return NULL;
        }
        int empty = result == Py_None || (PyTuple_CheckExact(result) && PyTuple_GET_SIZE(result) == 0) ||
                    (PyList_CheckExact(result) && PyList_GET_SIZE(result) == 0);
        if (found != Py_None && !empty) {
            PyObject *extended = PySequence_InPlaceConcat(found, result);
            if (extended == NULL) {
                Py_DECREF(result);
                return NULL;
            }
            Py_DECREF(extended);
        }
        Py_DECREF(result);
    }
    return PyLong_FromSsize_t(index);
}

static PyMethodDef stream_methods[] = {
    {"read_body", (PyCFunction)(void (*)(void))read_body, METH_FASTCALL,
     "Append a transaction set's segments up to SE; see envelope.py."},
    {"dispatch", (PyCFunction)(void (*)(void))dispatch, METH_FASTCALL,
     "Call each segment's handler up to one whose id stops it; see dispatch.py."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef stream_module = {
    PyModuleDef_HEAD_INIT, "claimbridge.x12._stream_c",
    "The inner loops of claimbridge.x12.tokenizer and .envelope in C.", -1, stream_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__stream_c(void)
{
    if (PyType_Ready(&SegmentsType) < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&stream_module);
    if (module == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(module, "Segments", (PyObject *)&SegmentsType) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
