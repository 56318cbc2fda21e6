/* lines.plain_lines in C: the run of plain 837P service lines from batch[start].
 *
 * plain_lines(batch, start, component, diagnoses, dates, first_date, result_type) takes the
 * same lines as lines.plain_lines_python (its docstring says which) and returns
 * result_type((end, lines, charges, places, first_date, dates_differ)). It reads the
 * segments (tuples: the id, then the tuple of fields) without calling Python code, and
 * changes nothing: a segment of another shape than it expects ends the run before its line,
 * and the checks read that line as before.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define MAX_THOUSANDTHS 9223372036854775807LL /* 2**63 - 1, the Python twin's _LARGEST */

/* True when ``text`` is a str equal to the ASCII ``wanted``. */
static int
text_is(PyObject *text, const char *wanted)
{
    if (!PyUnicode_Check(text) || PyUnicode_KIND(text) != PyUnicode_1BYTE_KIND) {
        return 0;
    }
    Py_ssize_t length = (Py_ssize_t)strlen(wanted);
    return PyUnicode_GET_LENGTH(text) == length &&
           memcmp(PyUnicode_1BYTE_DATA(text), wanted, (size_t)length) == 0;
}

/* The fields of a segment (borrowed), or NULL when it is not (id, fields, ...). */
static PyObject *
fields_of(PyObject *segment)
{
    if (!PyTuple_Check(segment) || PyTuple_GET_SIZE(segment) < 2) {
        return NULL;
    }
    PyObject *fields = PyTuple_GET_ITEM(segment, 1);
    return PyTuple_Check(fields) ? fields : NULL;
}

/* The id of a segment (borrowed), or NULL. */
static PyObject *
tag_of(PyObject *segment)
{
    if (!PyTuple_Check(segment) || PyTuple_GET_SIZE(segment) < 2) {
        return NULL;
    }
    PyObject *tag = PyTuple_GET_ITEM(segment, 0);
    return PyUnicode_Check(tag) ? tag : NULL;
}

static PyObject *empty_text; /* "" */

/* Element ``number`` of ``fields`` (borrowed; "" when absent), or NULL when not a str. */
static PyObject *
element(PyObject *fields, Py_ssize_t number)
{
    if (number >= PyTuple_GET_SIZE(fields)) {
        return empty_text;
    }
    PyObject *text = PyTuple_GET_ITEM(fields, number);
    return PyUnicode_Check(text) ? text : NULL;
}

/* Digits, at most 15, then optionally '.' and at most 3 digits (after an optional '-' when
 * ``signed_``): the text as thousandths in ``value`` and its decimals in ``places``. */
static int
plain_number(PyObject *text, int signed_, long long *value, int *places)
{
    if (PyUnicode_KIND(text) != PyUnicode_1BYTE_KIND) {
        return 0;
    }
    const Py_UCS1 *chars = PyUnicode_1BYTE_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text), at = 0;
    if (signed_ && at < length && chars[at] == '-') {
        at++;
    }
    long long number = 0;
    Py_ssize_t digits = 0;
    while (at < length && chars[at] >= '0' && chars[at] <= '9') {
        number = number * 10 + (chars[at] - '0');
        at++;
        digits++;
    }
    if (digits < 1 || digits > 15) {
        return 0;
    }
    int decimals = 0;
    if (at < length && chars[at] == '.') {
        at++;
        while (at < length && chars[at] >= '0' && chars[at] <= '9') {
            if (++decimals > 3) {
                return 0;
            }
            number = number * 10 + (chars[at] - '0');
            at++;
        }
    }
    if (at != length) {
        return 0;
    }
    for (int pad = decimals; pad < 3; pad++) {
        number *= 10;
    }
    *value = number;
    *places = decimals;
    return 1;
}

/* SV107 empty, or pointers of one or two digits (no leading zero), each at most
 * ``diagnoses``, joined by the one character ``component``. */
static int
plain_pointers(PyObject *text, PyObject *component, long long diagnoses)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    if (length == 0) {
        return 1;
    }
    if (PyUnicode_GET_LENGTH(component) != 1) {
        return 0;
    }
    Py_UCS4 separator = PyUnicode_READ_CHAR(component, 0);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t at = 0;
    for (;;) {
        Py_ssize_t first = at;
        long long pointer = 0;
        for (; at < length; at++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, at);
            if (c == separator) {
                break;
            }
            if (c < '0' || c > '9' || at - first >= 2) {
                return 0;
            }
            pointer = pointer * 10 + (long long)(c - '0');
        }
        if (at == first || PyUnicode_READ(kind, data, first) == '0' || pointer > diagnoses) {
            return 0;
        }
        if (at == length) {
            return 1;
        }
        at++; /* the separator */
    }
}

/* The line at batch[lx]: 1 with the index of the segment that ends it, its SV1 and DTP*472
 * (borrowed) when it is plain in shape; 0 when not; -1 on an error. */
static int
plain_line(PyObject *batch, Py_ssize_t lx, Py_ssize_t size, Py_ssize_t *end, PyObject **sv1,
           PyObject **dtp)
{
    static const char *claim_ends[] = {"HL", "CLM", "ISA", "GS", "ST", "SE", "GE", "IEA", NULL};
    static const char *not_in_line[] = {"HI", "NM1", "SBR", "BHT", "SVD", "LQ", "TA1", NULL};
    *sv1 = *dtp = NULL;
    Py_ssize_t at = lx + 1;
    for (; at < size; at++) {
        PyObject *segment = PyList_GET_ITEM(batch, at);
        PyObject *tag = tag_of(segment);
        if (tag == NULL) {
            return 0;
        }
        if (text_is(tag, "SV1")) {
            if (*sv1 != NULL) {
                return 0;
            }
            *sv1 = segment;
            continue;
        }
        if (text_is(tag, "DTP")) {
            PyObject *fields = fields_of(segment);
            PyObject *qualifier = fields ? element(fields, 1) : NULL;
            if (qualifier == NULL) {
                return 0;
            }
            if (text_is(qualifier, "472")) {
                if (*dtp != NULL) {
                    return 0;
                }
                *dtp = segment;
            }
            continue;
        }
        int ends = text_is(tag, "LX");
        for (int n = 0; !ends && claim_ends[n] != NULL; n++) {
            ends = text_is(tag, claim_ends[n]);
        }
        if (ends) {
            break;
        }
        for (int n = 0; not_in_line[n] != NULL; n++) {
            if (text_is(tag, not_in_line[n])) {
                return 0;
            }
        }
    }
    if (at == size || *sv1 == NULL || *dtp == NULL) {
        return 0;
    }
    *end = at;
    return 1;
}

/* 1 when DTP02 and DTP03 of the two segments are equal, 0 when not, -1 on an error. */
static int
same_date(PyObject *first, PyObject *dtp)
{
    PyObject *first_fields = fields_of(first), *fields = fields_of(dtp);
    if (first_fields == NULL || fields == NULL) {
        PyErr_SetString(PyExc_TypeError, "a DTP segment is not (id, fields, position)");
        return -1;
    }
    for (Py_ssize_t number = 2; number <= 3; number++) {
        PyObject *a = element(first_fields, number), *b = element(fields, number);
        if (a == NULL || b == NULL) {
            PyErr_SetString(PyExc_TypeError, "a DTP element is not a str");
            return -1;
        }
        int equal = PyUnicode_Compare(a, b) == 0;
        if (PyErr_Occurred()) {
            return -1;
        }
        if (!equal) {
            return 0;
        }
    }
    return 1;
}

static PyObject *
plain_lines(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7) {
        PyErr_SetString(PyExc_TypeError, "plain_lines takes 7 arguments");
        return NULL;
    }
    PyObject *batch = args[0], *component = args[2], *diagnoses_arg = args[3], *dates = args[4];
    PyObject *first_date = args[5], *result_type = args[6];
    if (!PyList_Check(batch) || !PyUnicode_Check(component)) {
        PyErr_SetString(PyExc_TypeError, "plain_lines takes a list of segments and a str");
        return NULL;
    }
    Py_ssize_t start = PyLong_AsSsize_t(args[1]);
    if (start == -1 && PyErr_Occurred()) {
        return NULL;
    }
    long long diagnoses = 0;
    if (diagnoses_arg != Py_None) {
        diagnoses = PyLong_AsLongLong(diagnoses_arg);
        if (diagnoses == -1 && PyErr_Occurred()) {
            return NULL;
        }
    }
    Py_ssize_t size = PyList_GET_SIZE(batch), at = start;
    long long lines = 0, charges = 0;
    int places = 0, differ = 0;
    PyObject *first = first_date; /* borrowed: from the caller or from batch */
    while (at >= 0 && at < size) {
        PyObject *lx_tag = tag_of(PyList_GET_ITEM(batch, at));
        if (lx_tag == NULL || !text_is(lx_tag, "LX")) {
            break;
        }
        Py_ssize_t end;
        PyObject *sv1, *dtp;
        if (plain_line(batch, at, size, &end, &sv1, &dtp) != 1) {
            break;
        }
        PyObject *sv1_fields = fields_of(sv1), *dtp_fields = fields_of(dtp);
        PyObject *charge_text = element(sv1_fields, 2), *units = element(sv1_fields, 4);
        PyObject *pointers = element(sv1_fields, 7), *date = element(dtp_fields, 3);
        if (charge_text == NULL || units == NULL || pointers == NULL || date == NULL) {
            break;
        }
        long long charge, ignored;
        int decimals, ignored_places;
        if (!plain_number(charge_text, 0, &charge, &decimals)) {
            break;
        }
        if (PyUnicode_GET_LENGTH(units) != 0 &&
            !plain_number(units, 1, &ignored, &ignored_places)) {
            break;
        }
        if (diagnoses_arg != Py_None && !plain_pointers(pointers, component, diagnoses)) {
            break;
        }
        if (dates != Py_None) {
            int known = PySet_Contains(dates, date);
            if (known < 0) {
                return NULL;
            }
            if (!known) {
                break;
            }
        }
        if (charge > MAX_THOUSANDTHS - charges) {
            break;
        }
        if (first == Py_None) {
            first = dtp;
        }
        else if (!differ) {
            int same = same_date(first, dtp);
            if (same < 0) {
                return NULL;
            }
            differ = !same;
        }
        lines++;
        charges += charge;
        at = end;
        if (decimals > places) {
            places = decimals;
        }
    }
    return PyObject_CallFunction(result_type, "nLLiOO", at, lines, charges, places, first,
                                 differ ? Py_True : Py_False);
}

static PyMethodDef lines_methods[] = {
    {"plain_lines", (PyCFunction)(void (*)(void))plain_lines, METH_FASTCALL,
     "The run of plain 837P service lines from batch[start] (see lines.py)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef lines_module = {
    PyModuleDef_HEAD_INIT, "_lines_c", "lines.plain_lines in C.", -1, lines_methods,
};

PyMODINIT_FUNC
PyInit__lines_c(void)
{
    empty_text = PyUnicode_FromString("");
    if (empty_text == NULL) {
        return NULL;
    }
    return PyModule_Create(&lines_module);
}
