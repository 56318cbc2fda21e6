/* The guide check's quick path in C: check.py's GuideCheck._follow for the segments that
 * report nothing.
 *
 * follow(state, slow, segment) -> list takes ``state``, a GuideCheck's __dict__, and one
 * segment. When the segment's plan from the current place is kept in state["fast_plans"]
 * (check.py's ``_fast``: its steps, node, counters and the node's element checks) and
 * following it would report nothing, it updates the same counters, the current node and the
 * envelope counts (HL numbering and stack; in an 837, LX numbering within a claim) as the
 * Python pass does, and returns an empty list. Otherwise it changes nothing and returns
 * ``slow(segment)``, the Python pass, which gives the problems. Nothing is decided here that
 * the Python pass would decide otherwise: whatever is not plainly clean, by the memos the
 * Python pass keeps (an element value's messages, a composite's problems, a segment found
 * clean at its node), goes to Python. The envelope segments (ISA, GS, ST, SE, GE, IEA) and
 * TA1 always do.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *s_stopped, *s_qualified, *s_node, *s_fast_plans, *s_clean, *s_component,
    *s_composites, *s_envelopes, *s_checks_lx, *s_last_position, *s_last_id, *s_seg_count,
    *s_hl_count, *s_hl_stack, *s_lx_count;

#define HANDLED 1
#define TO_PYTHON 0
#define FAILED -1

enum tag_kind { PLAIN, ENVELOPE, HL, CLM, LX };

static int
ascii_is(PyObject *text, const char *wanted, Py_ssize_t length)
{
    return PyUnicode_GET_LENGTH(text) == length && PyUnicode_IS_ASCII(text) &&
           memcmp(PyUnicode_DATA(text), wanted, (size_t)length) == 0;
}

static enum tag_kind
kind_of(PyObject *tag)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(tag);
    if (length == 2) {
        if (ascii_is(tag, "HL", 2)) {
            return HL;
        }
        if (ascii_is(tag, "LX", 2)) {
            return LX;
        }
        if (ascii_is(tag, "GS", 2) || ascii_is(tag, "GE", 2) || ascii_is(tag, "ST", 2) ||
            ascii_is(tag, "SE", 2)) {
            return ENVELOPE;
        }
    }
    else if (length == 3) {
        if (ascii_is(tag, "CLM", 3)) {
            return CLM;
        }
        if (ascii_is(tag, "ISA", 3) || ascii_is(tag, "IEA", 3) || ascii_is(tag, "TA1", 3)) {
            return ENVELOPE;
        }
    }
    return PLAIN;
}

/* ``text`` as a whole number when it is 1 to 18 ASCII digits (with ``no_leading_zero``, and
 * not starting with 0: str(n)'s form), else -1: the Python pass decides the rest. */
static long long
plain_number(PyObject *text, int no_leading_zero)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    if (length < 1 || length > 18 || !PyUnicode_IS_ASCII(text)) {
        return -1;
    }
    const char *digits = (const char *)PyUnicode_DATA(text);
    if (no_leading_zero && digits[0] == '0') {
        return -1;
    }
    long long number = 0;
    for (Py_ssize_t i = 0; i < length; i++) {
        if (digits[i] < '0' || digits[i] > '9') {
            return -1;
        }
        number = number * 10 + (digits[i] - '0');
    }
    return number;
}

/* Segment.element(n): the element, or "" when the segment is shorter. */
static PyObject *
element(PyObject *fields, Py_ssize_t number)
{
    return number < PyTuple_GET_SIZE(fields) ? PyTuple_GET_ITEM(fields, number) : NULL;
}

static int
holds_other_than(PyObject *value, Py_UCS4 separator)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(value);
    int kind = PyUnicode_KIND(value);
    const void *data = PyUnicode_DATA(value);
    for (Py_ssize_t i = 0; i < length; i++) {
        if (PyUnicode_READ(kind, data, i) != separator) {
            return 1;
        }
    }
    return 0;
}

/* values.syntax_holds: ``rule`` is bytes, the code's letter and the element numbers. */
static int
syntax_holds(PyObject *rule, PyObject *fields, Py_UCS4 separator)
{
    if (!PyBytes_CheckExact(rule) || PyBytes_GET_SIZE(rule) < 2) {
        return 0;
    }
    const unsigned char *bytes = (const unsigned char *)PyBytes_AS_STRING(rule);
    Py_ssize_t size = PyBytes_GET_SIZE(rule);
    unsigned char code = bytes[0];
    Py_ssize_t count = PyTuple_GET_SIZE(fields), numbers = size - 1, sent = 0;
    for (Py_ssize_t i = 1; i < size; i++) {
        Py_ssize_t n = bytes[i];
        if (n < count && holds_other_than(PyTuple_GET_ITEM(fields, n), separator)) {
            sent++;
        }
    }
    switch (code) {
    case 'P':
        return sent == 0 || sent == numbers;
    case 'R':
        return sent > 0;
    case 'E':
        return sent <= 1;
    default:
        break;
    }
    Py_ssize_t first = bytes[1];
    if (first >= count || !holds_other_than(PyTuple_GET_ITEM(fields, first), separator)) {
        return 1;
    }
    if (code == 'C') {
        return sent - 1 == numbers - 1;
    }
    if (code == 'L') {
        return sent - 1 > 0;
    }
    return 1;
}

/* values.py's checks of a present value, for the types it knows here. */

/* 5010's extended character set for ID and AN (values._BAD_CHARACTER's complement). */
static int
is_x12_character(Py_UCS4 c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        return 1;
    }
    return c < 0x80 && c != 0 && strchr("!\"&'()*+,-./:;?= %~@[]_{}\\|<>^`#$", (int)c) != NULL;
}

static int
all_digits(const char *text, Py_ssize_t length)
{
    if (length < 1) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < length; i++) {
        if (text[i] < '0' || text[i] > '9') {
            return 0;
        }
    }
    return 1;
}

/* Python's comparison of text[:length] with ``limit`` (two characters): 1 when greater. */
static int
greater(const char *text, Py_ssize_t length, const char *limit)
{
    for (Py_ssize_t i = 0; i < length && i < 2; i++) {
        if (text[i] != limit[i]) {
            return text[i] > limit[i];
        }
    }
    return length > 2;
}

/* values._is_time */
static int
is_time(const char *text, Py_ssize_t length)
{
    if (!all_digits(text, length)) {
        return 0;
    }
    if (greater(text, length < 2 ? length : 2, "23")) {
        return 0;
    }
    if (length > 2 && greater(text + 2, length - 2 < 2 ? length - 2 : 2, "59")) {
        return 0;
    }
    if (length > 4) {
        return length >= 6 && !greater(text + 4, 2, "59") && length <= 8;
    }
    return 1;
}

static int
number_of(const char *text, int length)
{
    int number = 0;
    for (int i = 0; i < length; i++) {
        number = number * 10 + (text[i] - '0');
    }
    return number;
}

/* values._is_date for DT */
static int
is_date(const char *text, Py_ssize_t length)
{
    static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if ((length != 6 && length != 8 && length != 12) || !all_digits(text, length)) {
        return 0;
    }
    int year, month, day;
    if (length == 6) {
        int short_year = number_of(text, 2);
        year = (short_year < 50 ? 2000 : 1900) + short_year;
        month = number_of(text + 2, 2);
        day = number_of(text + 4, 2);
    }
    else {
        year = number_of(text, 4);
        month = number_of(text + 4, 2);
        day = number_of(text + 6, 2);
    }
    if (year < 1800 || month < 1 || month > 12 || day < 1 || day > month_days[month - 1]) {
        return 0;
    }
    int leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    if (month == 2 && day == 29 && !leap) {
        return 0;
    }
    /* a 12-digit value: its last four are a time (the 6-digit form never has them) */
    return length != 12 || is_time(text + 8, 4);
}

/* values.is_valid_type for N (1), R (2), ID and AN (3), DT (4), TM (5); 0 is no type. */
static int
is_valid_type(const char *text, Py_ssize_t length, long kind)
{
    Py_ssize_t i = 0;
    switch (kind) {
    case 0:
        return 1;
    case 1:
        if (i < length && text[i] == '-') {
            i++;
        }
        return all_digits(text + i, length - i);
    case 2:
        if (i < length && text[i] == '-') {
            i++;
        }
        while (i < length && text[i] >= '0' && text[i] <= '9') {
            i++;
        }
        if (i == length) {
            return 1;
        }
        return text[i] == '.' && all_digits(text + i + 1, length - i - 1);
    case 3:
        for (; i < length; i++) {
            if (!is_x12_character((unsigned char)text[i])) {
                return 0;
            }
        }
        return 1;
    case 4:
        return is_date(text, length);
    case 5:
        return is_time(text, length);
    default:
        return 0;
    }
}

/* Whether a present value is clean by ``check`` (check.py's ``_value_check``): its memo
 * first, else values._check_present for the ASCII values and types known here. 1, 0 (ask
 * Python) or -1. */
static int
value_clean(PyObject *check, PyObject *value)
{
    PyObject *messages = PyDict_GetItemWithError(PyTuple_GET_ITEM(check, 0), value);
    if (messages != NULL) {
        return PyTuple_CheckExact(messages) && PyTuple_GET_SIZE(messages) == 0;
    }
    if (PyErr_Occurred()) {
        return -1;
    }
    if (PyTuple_GET_ITEM(check, 2) != Py_False || !PyUnicode_IS_ASCII(value)) {
        return 0;
    }
    long kind = PyLong_AsLong(PyTuple_GET_ITEM(check, 3));
    long min_length = PyLong_AsLong(PyTuple_GET_ITEM(check, 4));
    long max_length = PyLong_AsLong(PyTuple_GET_ITEM(check, 5));
    if (PyErr_Occurred()) {
        return -1;
    }
    const char *text = (const char *)PyUnicode_DATA(value);
    Py_ssize_t length = PyUnicode_GET_LENGTH(value), measured = 0;
    for (Py_ssize_t i = 0; i < length; i++) {
        if (text[i] < 0x20 || text[i] == 0x7f) {
            return 0;  /* a control character: the Python pass names it */
        }
        measured += (kind == 1 || kind == 2) ? (text[i] != '-' && text[i] != '.') : 1;
    }
    if (measured < min_length || measured > max_length) {
        return 0;
    }
    if (kind == 3 && text[length - 1] == ' ') {
        return 0;  /* perhaps trailing spaces */
    }
    PyObject *codes = PyTuple_GET_ITEM(check, 6);
    PyObject *external = PyTuple_GET_ITEM(check, 7);
    if (PySet_GET_SIZE(codes) > 0 || external != Py_None) {
        int listed = PySet_Contains(codes, value);
        if (listed == 0 && external != Py_None) {
            listed = PySet_Contains(external, value);
        }
        if (listed <= 0) {
            return listed;
        }
    }
    return is_valid_type(text, length, kind);
}

/* values.is_valid_type for a date or time format another element names: 1, 0, or -1 for a
 * format not known here. */
static int
format_holds(const char *text, Py_ssize_t length, PyObject *format)
{
    if (ascii_is(format, "D8", 2)) {
        return length == 8 && is_date(text, length);
    }
    if (ascii_is(format, "D6", 2)) {
        return length == 6 && is_date(text, length);
    }
    if (ascii_is(format, "DT", 2)) {
        return is_date(text, length);
    }
    if (ascii_is(format, "TM", 2)) {
        return is_time(text, length);
    }
    if (ascii_is(format, "RD8", 3)) {
        const char *dash = memchr(text, '-', (size_t)length);
        if (dash == NULL || memchr(dash + 1, '-', (size_t)(text + length - dash - 1)) != NULL) {
            return 0;
        }
        Py_ssize_t first = dash - text, second = length - first - 1;
        return first == 8 && second == 8 && is_date(text, 8) && is_date(dash + 1, 8);
    }
    return -1;
}

/* values.check_formats finding nothing for ``value`` (a clean value otherwise): the formats
 * are a tuple (an element 1250's codes) or 2 (the one DTP02 names). 1, 0 (ask Python), -1. */
static int
formats_clean(PyObject *source, PyObject *fields, PyObject *value)
{
    PyObject *named[1];
    PyObject *const *formats;
    Py_ssize_t count;
    if (PyLong_Check(source)) {
        PyObject *format = element(fields, 2);
        if (format == NULL || !(ascii_is(format, "RD8", 3) || ascii_is(format, "D8", 2) ||
                                ascii_is(format, "D6", 2) || ascii_is(format, "DT", 2) ||
                                ascii_is(format, "TM", 2))) {
            return 1;  /* DTP02 names no date format: nothing to check */
        }
        named[0] = format;
        formats = named;
        count = 1;
    }
    else if (PyTuple_CheckExact(source)) {
        formats = &PyTuple_GET_ITEM(source, 0);
        count = PyTuple_GET_SIZE(source);
    }
    else {
        return 0;
    }
    if (!PyUnicode_IS_ASCII(value)) {
        return 0;
    }
    const char *text = (const char *)PyUnicode_DATA(value);
    Py_ssize_t length = PyUnicode_GET_LENGTH(value);
    int named_any = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        if (!PyUnicode_Check(formats[i])) {
            return 0;
        }
        if (PyUnicode_GET_LENGTH(formats[i]) == 0) {
            continue;
        }
        named_any = 1;
        int holds = format_holds(text, length, formats[i]);
        if (holds != 0) {
            return holds > 0;  /* valid in one format, or one not known here */
        }
    }
    return !named_any;
}

/* values.check_composite finding nothing for ``value`` split at ``separator``: 1, 0, -1. */
static int
composite_clean(PyObject *element, PyObject *value, Py_UCS4 separator)
{
    PyObject *checks = PyTuple_GET_ITEM(element, 3);
    Py_ssize_t length = PyUnicode_GET_LENGTH(value);
    if (!holds_other_than(value, separator)) {
        return PyTuple_GET_ITEM(element, 1) == Py_True;  /* every component empty */
    }
    if (PyTuple_GET_ITEM(element, 2) != Py_False) {
        return 0;  /* not used in this guide */
    }
    Py_ssize_t parts = PyTuple_GET_SIZE(checks), index = 0, start = 0;
    while (start <= length) {
        Py_ssize_t end = PyUnicode_FindChar(value, separator, start, length, 1);
        if (end == -2) {
            return -1;
        }
        if (end == -1) {
            end = length;
        }
        if (index >= parts) {
            return 0;  /* more components than the composite has */
        }
        PyObject *check = PyTuple_GET_ITEM(checks, index);
        if (end == start) {
            if (PyTuple_GET_ITEM(check, 1) != Py_True) {
                return 0;
            }
        }
        else {
            PyObject *component = PyUnicode_Substring(value, start, end);
            if (component == NULL) {
                return -1;
            }
            int clean = value_clean(check, component);
            Py_DECREF(component);
            if (clean <= 0) {
                return clean;
            }
        }
        index++;
        start = end + 1;
    }
    for (; index < parts; index++) {
        if (PyTuple_GET_ITEM(PyTuple_GET_ITEM(checks, index), 1) != Py_True) {
            return 0;
        }
    }
    return 1;
}

/* Whether every element of ``fields`` is clean at its node: 1, 0 (ask Python), -1 (an
 * error). ``elements`` is check.py's ``_element_plan``. */
static int
elements_clean(PyObject *state, PyObject *elements, PyObject *fields, Py_UCS4 separator)
{
    PyObject *parts = PyTuple_GET_ITEM(elements, 0);
    PyObject *rest_ok = PyTuple_GET_ITEM(elements, 1);
    PyObject *syntax = PyTuple_GET_ITEM(elements, 2);
    Py_ssize_t sent = PyTuple_GET_SIZE(fields) - 1, wanted = PyTuple_GET_SIZE(parts);
    if (sent > wanted || PyTuple_GET_ITEM(rest_ok, sent) != Py_True) {
        return 0;
    }
    PyObject *composites = NULL;
    for (Py_ssize_t i = 0; i < sent; i++) {
        PyObject *value = PyTuple_GET_ITEM(fields, i + 1);
        PyObject *part = PyTuple_GET_ITEM(parts, i);
        int clean;
        if (PyTuple_GET_SIZE(part) == 2) {  /* a simple element: (value check, formats) */
            PyObject *check = PyTuple_GET_ITEM(part, 0);
            if (PyUnicode_GET_LENGTH(value) == 0) {
                clean = PyTuple_GET_ITEM(check, 1) == Py_True;
            }
            else if (PyUnicode_FindChar(value, separator, 0, PyUnicode_GET_LENGTH(value), 1) != -1) {
                clean = 0;  /* components in a simple element */
            }
            else {
                clean = value_clean(check, value);
                PyObject *formats = PyTuple_GET_ITEM(part, 1);
                if (clean > 0 && formats != Py_None) {
                    clean = formats_clean(formats, fields, value);
                }
            }
        }
        else if (PyTuple_GET_SIZE(part) == 4) {  /* a composite */
            if (composites == NULL) {
                composites = PyDict_GetItemWithError(state, s_composites);
                if (composites == NULL || !PyDict_Check(composites)) {
                    return PyErr_Occurred() ? -1 : 0;
                }
            }
            PyObject *key = PyTuple_Pack(2, PyTuple_GET_ITEM(part, 0), value);
            if (key == NULL) {
                return -1;
            }
            PyObject *problems = PyDict_GetItemWithError(composites, key);
            Py_DECREF(key);
            if (problems != NULL) {
                clean = PyList_CheckExact(problems) && PyList_GET_SIZE(problems) == 0;
            }
            else if (PyErr_Occurred()) {
                return -1;
            }
            else {
                clean = composite_clean(part, value, separator);
            }
        }
        else {
            clean = PyErr_Occurred() ? -1 : 0;
        }
        if (clean <= 0) {
            return clean;
        }
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(syntax); i++) {
        int holds = syntax_holds(PyTuple_GET_ITEM(syntax, i), fields, separator);
        if (holds <= 0) {
            return holds;
        }
    }
    return 1;
}

/* Whether the segment was found clean at ``node`` before (check.py's ``clean``). */
static int
found_clean(PyObject *state, PyObject *node, PyObject *fields)
{
    PyObject *clean = PyDict_GetItemWithError(state, s_clean);
    if (clean == NULL || !PyAnySet_Check(clean)) {
        return PyErr_Occurred() ? -1 : 0;
    }
    PyObject *seen = PyTuple_Pack(2, node, fields);
    if (seen == NULL) {
        return -1;
    }
    int found = PySet_Contains(clean, seen);
    Py_DECREF(seen);
    return found;
}

static int
get_count(PyObject *counts, PyObject *key, long long *count)
{
    PyObject *value = PyDict_GetItemWithError(counts, key);
    if (value == NULL) {
        *count = 0;
        return PyErr_Occurred() ? -1 : 0;
    }
    *count = PyLong_AsLongLong(value);
    return *count == -1 && PyErr_Occurred() ? -1 : 0;
}

static int
set_count(PyObject *counts, PyObject *key, long long count)
{
    PyObject *value = PyLong_FromLongLong(count);
    if (value == NULL) {
        return -1;
    }
    int failed = PyDict_SetItem(counts, key, value);
    Py_DECREF(value);
    return failed;
}

static int
get_attribute_count(PyObject *object, PyObject *name, long long *count)
{
    PyObject *value = PyObject_GetAttr(object, name);
    if (value == NULL) {
        return -1;
    }
    *count = PyLong_AsLongLong(value);
    Py_DECREF(value);
    return *count == -1 && PyErr_Occurred() ? -1 : 0;
}

static int
set_attribute_count(PyObject *object, PyObject *name, long long count)
{
    PyObject *value = PyLong_FromLongLong(count);
    if (value == NULL) {
        return -1;
    }
    int failed = PyObject_SetAttr(object, name, value);
    Py_DECREF(value);
    return failed;
}

/* What the quick path reads of a GuideCheck's state, read once for a run of segments that
 * it takes (only the Python pass changes these), and what it changes: the current node, the
 * last segment's position and id and the count of segments, written back (``view_flush``)
 * before the Python pass runs and when the run ends. References are borrowed: from the state
 * dict, from the plans it holds, or from the segments, all alive until the flush. */
typedef struct {
    PyObject *state;
    PyObject *stopped, *checks_lx, *component, *qualified, *node, *plans, *envelopes;
    PyObject *last_position, *last_id;
    long long segments; /* taken since the last flush */
} View;

static int
view_load(View *view, PyObject *state)
{
    struct {
        PyObject **slot;
        PyObject *name;
    } reads[] = {
        {&view->stopped, s_stopped}, {&view->checks_lx, s_checks_lx},
        {&view->component, s_component}, {&view->qualified, s_qualified},
        {&view->node, s_node}, {&view->plans, s_fast_plans}, {&view->envelopes, s_envelopes},
    };
    view->state = state;
    view->last_position = view->last_id = NULL;
    view->segments = 0;
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        *reads[i].slot = PyDict_GetItemWithError(state, reads[i].name);
        if (*reads[i].slot == NULL && PyErr_Occurred()) {
            return -1;
        }
    }
    return 0;
}

static int get_attribute_count(PyObject *object, PyObject *name, long long *count);
static int set_attribute_count(PyObject *object, PyObject *name, long long count);

static int
view_flush(View *view)
{
    if (view->segments == 0) {
        return 0;
    }
    long long segments;
    if (PyDict_SetItem(view->state, s_node, view->node) < 0 ||
        PyDict_SetItem(view->state, s_last_position, view->last_position) < 0 ||
        PyDict_SetItem(view->state, s_last_id, view->last_id) < 0 ||
        get_attribute_count(view->envelopes, s_seg_count, &segments) < 0 ||
        set_attribute_count(view->envelopes, s_seg_count, segments + view->segments) < 0) {
        return -1;
    }
    view->segments = 0;
    return 0;
}

/* The plan kept for ``segment`` from the current node (a borrowed reference), or NULL. */
static PyObject *
fast_plan(View *view, PyObject *tag, PyObject *fields)
{
    PyObject *qualified = view->qualified, *node = view->node, *plans = view->plans;
    if (qualified == NULL || node == NULL || plans == NULL || !PyDict_Check(qualified) ||
        !PyDict_Check(plans)) {
        return NULL;
    }
    PyObject *numbers = PyDict_GetItemWithError(qualified, tag);
    if (numbers == NULL && PyErr_Occurred()) {
        return NULL;
    }
    Py_ssize_t extra = numbers == NULL ? 0 : PyTuple_GET_SIZE(numbers);
    PyObject *key = PyTuple_New(2 + extra);
    if (key == NULL) {
        return NULL;
    }
    Py_INCREF(node);
    PyTuple_SET_ITEM(key, 0, node);
    Py_INCREF(tag);
    PyTuple_SET_ITEM(key, 1, tag);
    for (Py_ssize_t i = 0; i < extra; i++) {
        Py_ssize_t number = PyLong_AsSsize_t(PyTuple_GET_ITEM(numbers, i));
        if (number == -1 && PyErr_Occurred()) {
            Py_DECREF(key);
            return NULL;
        }
        PyObject *value = number >= 0 && number < PyTuple_GET_SIZE(fields)
                              ? PyTuple_GET_ITEM(fields, number)
                              : Py_None;
        Py_INCREF(value);
        PyTuple_SET_ITEM(key, 2 + i, value);
    }
    PyObject *plan = PyDict_GetItemWithError(plans, key);
    Py_DECREF(key);
    return plan;
}

/* The HL, LX and CLM reads of GuideCheck._read when they report nothing: 1 (and the numbers
 * to store in *number and *parent), 0 (ask Python) or -1. */
static int
read_numbers(enum tag_kind kind, PyObject *envelopes, PyObject *fields, long long *number,
             long long *parent)
{
    *parent = -1;
    if (kind == HL) {
        long long count;
        if (get_attribute_count(envelopes, s_hl_count, &count) < 0) {
            return -1;
        }
        PyObject *first = element(fields, 1);
        if (first == NULL || plain_number(first, 0) != count + 1) {
            return 0;
        }
        *number = count + 1;
        PyObject *second = element(fields, 2);
        if (second == NULL || PyUnicode_GET_LENGTH(second) == 0) {
            return 1;
        }
        *parent = plain_number(second, 0);
        if (*parent < 0) {
            return 0;
        }
        PyObject *stack = PyObject_GetAttr(envelopes, s_hl_stack);
        if (stack == NULL) {
            return -1;
        }
        int found = 0;
        if (PyList_CheckExact(stack)) {
            for (Py_ssize_t i = 0; i < PyList_GET_SIZE(stack) && !found; i++) {
                long long level = PyLong_AsLongLong(PyList_GET_ITEM(stack, i));
                if (level == -1 && PyErr_Occurred()) {
                    Py_DECREF(stack);
                    return -1;
                }
                found = level == *parent;
            }
        }
        Py_DECREF(stack);
        return found;
    }
    if (kind == LX) {
        long long count;
        if (get_attribute_count(envelopes, s_lx_count, &count) < 0) {
            return -1;
        }
        PyObject *first = element(fields, 1);
        if (first == NULL || plain_number(first, 1) != count + 1) {
            return 0;
        }
        *number = count + 1;
        return 1;
    }
    *number = 0;  /* CLM: the lines of a claim count from 1 again */
    return 1;
}

static int
store_numbers(enum tag_kind kind, PyObject *envelopes, long long number, long long parent)
{
    if (kind == LX || kind == CLM) {
        return set_attribute_count(envelopes, s_lx_count, number);
    }
    if (set_attribute_count(envelopes, s_hl_count, number) < 0) {
        return -1;
    }
    PyObject *stack = PyObject_GetAttr(envelopes, s_hl_stack);
    if (stack == NULL) {
        return -1;
    }
    if (!PyList_CheckExact(stack)) {
        Py_DECREF(stack);
        PyErr_SetString(PyExc_TypeError, "hl_stack must be a list");
        return -1;
    }
    if (parent >= 0) {
        Py_ssize_t size = PyList_GET_SIZE(stack);
        while (size > 0) {
            long long top = PyLong_AsLongLong(PyList_GET_ITEM(stack, size - 1));
            if (top == -1 && PyErr_Occurred()) {
                Py_DECREF(stack);
                return -1;
            }
            if (top == parent) {
                break;
            }
            size--;
        }
        if (PyList_SetSlice(stack, size, PyList_GET_SIZE(stack), NULL) < 0) {
            Py_DECREF(stack);
            return -1;
        }
    }
    PyObject *level = PyLong_FromLongLong(number);
    int failed = level == NULL || PyList_Append(stack, level) < 0;
    Py_XDECREF(level);
    Py_DECREF(stack);
    return failed ? -1 : 0;
}

/* Takes ``segment`` by its kept plan when that reports nothing: HANDLED, TO_PYTHON or
 * FAILED. Every check comes before the first change, so TO_PYTHON leaves the state as it was. */
static int
quick(View *view, PyObject *segment)
{
    PyObject *state = view->state;
    PyObject *tag = PyTuple_GET_ITEM(segment, 0);
    PyObject *fields = PyTuple_GET_ITEM(segment, 1);
    PyObject *position = PyTuple_GET_ITEM(segment, 2);
    if (!PyUnicode_Check(tag) || !PyTuple_CheckExact(fields) || PyTuple_GET_SIZE(fields) < 1) {
        return TO_PYTHON;
    }
    PyObject *last = PyTuple_GET_ITEM(fields, PyTuple_GET_SIZE(fields) - 1);
    if (!PyUnicode_Check(last) || PyUnicode_GET_LENGTH(last) == 0) {
        return TO_PYTHON;  /* ends with an element separator: the Python pass says so */
    }
    for (Py_ssize_t i = 1; i < PyTuple_GET_SIZE(fields); i++) {
        if (!PyUnicode_Check(PyTuple_GET_ITEM(fields, i))) {
            return TO_PYTHON;
        }
    }
    enum tag_kind kind = kind_of(tag);
    if (kind == ENVELOPE) {
        return TO_PYTHON;
    }
    if (view->stopped != Py_False) {
        return TO_PYTHON;
    }
    if (kind == CLM || kind == LX) {
        if (view->checks_lx == NULL) {
            return TO_PYTHON;
        }
        if (view->checks_lx != Py_True) {
            kind = PLAIN;
        }
    }
    PyObject *component = view->component;
    if (component == NULL || !PyUnicode_Check(component) || PyUnicode_GET_LENGTH(component) != 1) {
        return TO_PYTHON;
    }
    Py_UCS4 separator = PyUnicode_READ_CHAR(component, 0);
    PyObject *plan = fast_plan(view, tag, fields);
    if (plan == NULL) {
        return PyErr_Occurred() ? FAILED : TO_PYTHON;
    }
    if (!PyTuple_CheckExact(plan) || PyTuple_GET_SIZE(plan) != 7) {
        PyErr_SetString(PyExc_TypeError, "a fast plan is a tuple of 7");
        return FAILED;
    }
    Py_INCREF(plan);
    int result = TO_PYTHON;
    PyObject *steps = PyTuple_GET_ITEM(plan, 0);
    PyObject *node = PyTuple_GET_ITEM(plan, 1);
    PyObject *node_key = PyTuple_GET_ITEM(plan, 2);
    PyObject *counter = PyTuple_GET_ITEM(plan, 4);
    PyObject *entered = PyTuple_GET_ITEM(plan, 5);
    PyObject *elements = PyTuple_GET_ITEM(plan, 6);
    PyObject *envelopes = NULL;
    long long max_use = PyLong_AsLongLong(PyTuple_GET_ITEM(plan, 3));
    if (max_use == -1 && PyErr_Occurred()) {
        goto failed;
    }
    /* Something required passed over unseen: the Python pass says what. */
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(steps); i++) {
        PyObject *step = PyTuple_GET_ITEM(steps, i);
        PyObject *count = PyDict_GetItemWithError(PyTuple_GET_ITEM(step, 0), PyTuple_GET_ITEM(step, 1));
        if (count == NULL) {
            if (PyErr_Occurred()) {
                goto failed;
            }
            goto done;
        }
        int truth = PyObject_IsTrue(count);
        if (truth < 0) {
            goto failed;
        }
        if (!truth) {
            goto done;
        }
    }
    long long loop_count = 0, count = 0;
    if (entered != Py_None) {
        if (get_count(PyTuple_GET_ITEM(entered, 2), PyTuple_GET_ITEM(entered, 0), &loop_count) < 0) {
            goto failed;
        }
        long long repeat = PyLong_AsLongLong(PyTuple_GET_ITEM(entered, 1));
        if (repeat == -1 && PyErr_Occurred()) {
            goto failed;
        }
        if (loop_count + 1 > repeat) {
            goto done;
        }
    }
    else {
        if (get_count(counter, node_key, &count) < 0) {
            goto failed;
        }
        if (count + 1 > max_use) {
            goto done;
        }
    }
    envelopes = view->envelopes;
    if (envelopes == NULL) {
        goto done;
    }
    Py_INCREF(envelopes);
    long long number = 0, parent = -1;
    if (kind != PLAIN) {
        int read = read_numbers(kind, envelopes, fields, &number, &parent);
        if (read <= 0) {
            result = read;
            goto done;
        }
    }
    int clean = elements_clean(state, elements, fields, separator);
    if (clean == 0) {
        clean = found_clean(state, node, fields);
    }
    if (clean <= 0) {
        result = clean;
        goto done;
    }
    /* Nothing to report: the changes ``_follow`` and ``_read`` make. */
    if (entered != Py_None) {
        PyObject *inner = PyTuple_GET_ITEM(entered, 3);
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(inner); i++) {
            PyObject *counts = PyTuple_GET_ITEM(inner, i);
            if (PyDict_GET_SIZE(counts)) {
                PyDict_Clear(counts);
            }
        }
        if (set_count(PyTuple_GET_ITEM(entered, 2), PyTuple_GET_ITEM(entered, 0), loop_count + 1) < 0 ||
            get_count(counter, node_key, &count) < 0) {
            goto failed;
        }
    }
    if (set_count(counter, node_key, count + 1) < 0) {
        goto failed;
    }
    if (kind != PLAIN && store_numbers(kind, envelopes, number, parent) < 0) {
        goto failed;
    }
    view->node = node; /* held by the plan, which the plans hold */
    view->last_position = position;
    view->last_id = tag;
    view->segments++;
    result = HANDLED;
    goto done;
failed:
    result = FAILED;
done:
    Py_XDECREF(envelopes);
    Py_DECREF(plan);
    return result;
}

static PyObject *
follow(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyDict_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "follow(state: dict, slow, segment)");
        return NULL;
    }
    PyObject *segment = args[2];
    if (!PyTuple_Check(segment) || PyTuple_GET_SIZE(segment) != 3) {
        PyErr_SetString(PyExc_TypeError, "follow takes a Segment");
        return NULL;
    }
    View view;
    if (view_load(&view, args[0]) < 0) {
        return NULL;
    }
    int result = quick(&view, segment);
    if (result == FAILED || view_flush(&view) < 0) {
        return NULL;
    }
    if (result == HANDLED) {
        return PyList_New(0);
    }
    return PyObject_CallOneArg(args[1], segment);
}

/* follow for each segment of the list ``batch``, in order: every problem in one list. */
static PyObject *
follow_batch(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyDict_Check(args[0]) || !PyList_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "follow_batch(state: dict, slow, batch: list)");
        return NULL;
    }
    PyObject *state = args[0], *slow = args[1], *batch = args[2];
    PyObject *found = PyList_New(0);
    if (found == NULL) {
        return NULL;
    }
    View view;
    if (view_load(&view, state) < 0) {
        goto failed;
    }
    /* The segments stay alive in ``batch`` (the Python pass never changes it): the view may
     * borrow from them until its flush. */
    Py_INCREF(batch);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(batch); i++) {
        PyObject *segment = PyList_GET_ITEM(batch, i);
        if (!PyTuple_Check(segment) || PyTuple_GET_SIZE(segment) != 3) {
            PyErr_SetString(PyExc_TypeError, "follow_batch takes Segments");
            goto failed_in_batch;
        }
        int result = quick(&view, segment);
        if (result == FAILED) {
            goto failed_in_batch;
        }
        if (result == HANDLED) {
            continue;
        }
        if (view_flush(&view) < 0) {
            goto failed_in_batch;
        }
        Py_INCREF(segment);
        PyObject *problems = PyObject_CallOneArg(slow, segment);
        Py_DECREF(segment);
        if (problems == NULL || view_load(&view, state) < 0) {
            Py_XDECREF(problems);
            goto failed_in_batch;
        }
        PyObject *extended = PySequence_InPlaceConcat(found, problems);
        Py_DECREF(problems);
        if (extended == NULL) {
            goto failed_in_batch;
        }
        Py_DECREF(extended); /* found itself */
    }
    if (view_flush(&view) < 0) {
        goto failed_in_batch;
    }
    Py_DECREF(batch);
    return found;
failed_in_batch:
    Py_DECREF(batch);
failed:
    Py_DECREF(found);
    return NULL;
}

static PyMethodDef guide_methods[] = {
    {"follow_batch", (PyCFunction)(void (*)(void))follow_batch, METH_FASTCALL,
     "follow for each segment of a list: every problem, in one list."},
    {"follow", (PyCFunction)(void (*)(void))follow, METH_FASTCALL,
     "Take a segment that reports nothing by its kept plan, else give it to slow; see check.py."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef guide_module = {
    PyModuleDef_HEAD_INIT, "claimbridge.x12.guide._guide_c",
    "The quick path of claimbridge.x12.guide.check in C.", -1, guide_methods,
    NULL, NULL, NULL, NULL,
};

static int
intern_names(void)
{
    struct {
        PyObject **name;
        const char *text;
    } names[] = {
        {&s_stopped, "stopped"}, {&s_qualified, "qualified"}, {&s_node, "node"},
        {&s_fast_plans, "fast_plans"}, {&s_clean, "clean"}, {&s_component, "component"},
        {&s_composites, "composites"}, {&s_envelopes, "envelopes"}, {&s_checks_lx, "checks_lx"},
        {&s_last_position, "last_position"}, {&s_last_id, "last_id"},
        {&s_seg_count, "seg_count"}, {&s_hl_count, "hl_count"}, {&s_hl_stack, "hl_stack"},
        {&s_lx_count, "lx_count"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (*names[i].name == NULL) {
            *names[i].name = PyUnicode_InternFromString(names[i].text);
            if (*names[i].name == NULL) {
                return -1;
            }
        }
    }
    return 0;
}

PyMODINIT_FUNC
PyInit__guide_c(void)
{
    if (intern_names() < 0) {
        return NULL;
    }
    return PyModule_Create(&guide_module);
}
