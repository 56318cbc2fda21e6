/* The hot path of claims.py in C: loops 2000, 2100, 2110 and the PLB footer of one 835.
 *
 * read(elements, segments, start, transaction_others) -> (groups, provider_adjustments)
 *
 * does what ``ClaimsReader.read`` does on ``segments[start:]`` and gives the same values. It
 * handles in C only the shapes payers send most (CLP, NM1, DTM*x*date, a CAS with one
 * triplet, REF*q*value, SVC, AMT*q*amount, LQ*q*code) and only the conversions of plain
 * texts (an amount such as "-15.5", a CCYYMMDD date). Everything else, every error message
 * included, is the Python code's: a segment of another shape goes to the ``Elements`` method
 * of the same name, a text it cannot convert to ``Elements.money``/``date``/
 * ``optional_decimal``/``procedure``, and the less common parts of a loop to claims.py's
 * ``_group``, ``_line_rest`` and ``_claim_rest`` (given once to ``setup``). Converted texts
 * are remembered in the same ``Elements`` dicts the Python code uses.
 *
 * The typed values it builds hold only text, numbers, dates and tuples of those, so they can
 * never be part of a reference cycle; they are taken off the cycle collector's lists.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>

/* -- what setup() is given, and interned names ------------------------------------------ */

enum model {
    M_CLP, M_NM1, M_DTM, M_ADJUSTMENT, M_REF, M_SVC, M_AMT, M_LQ, M_MOA, M_PROCEDURE,
    M_LOOP2110, M_LOOP2100, M_COUNT
};
static const char *const model_names[M_COUNT] = {
    "Clp", "Nm1", "Dtm", "Adjustment", "Ref", "Svc", "Amt", "Lq", "Moa", "Procedure",
    "Loop2110", "Loop2100",
};
static const Py_ssize_t model_sizes[M_COUNT] = {15, 13, 7, 5, 5, 8, 4, 3, 10, 5, 9, 12};
static PyTypeObject *models[M_COUNT];
static PyObject *decimal_type, *group_function, *line_rest_function, *claim_rest_function;
static PyObject *empty_text, *empty_tuple, *line_control_qualifier;

enum method {
    E_CLP, E_NM1, E_DTM, E_CAS, E_REF, E_SVC, E_AMT, E_LQ, E_MOA, E_PLB, E_MONEY, E_DECIMAL,
    E_DATE, E_PROCEDURE, E_COUNT
};
static const char *const method_names[E_COUNT] = {
    "clp", "nm1", "dtm", "cas", "ref", "svc", "amt", "lq", "moa", "plb", "money",
    "optional_decimal", "date", "procedure",
};
static PyObject *methods[E_COUNT];

#define TAG(a, b, c) (((unsigned)(a) << 16) | ((unsigned)(b) << 8) | (unsigned)(c))
enum tag {
    T_LX = TAG('L', 'X', 0), T_CLP = TAG('C', 'L', 'P'), T_SVC = TAG('S', 'V', 'C'),
    T_PLB = TAG('P', 'L', 'B'), T_SE = TAG('S', 'E', 0), T_NM1 = TAG('N', 'M', '1'),
    T_DTM = TAG('D', 'T', 'M'), T_CAS = TAG('C', 'A', 'S'), T_REF = TAG('R', 'E', 'F'),
    T_AMT = TAG('A', 'M', 'T'), T_LQ = TAG('L', 'Q', 0), T_MOA = TAG('M', 'O', 'A'),
};

/* -- segments ---------------------------------------------------------------------------- */

#define SEGMENT_TAG(segment) PyTuple_GET_ITEM(segment, 0)
#define SEGMENT_FIELDS(segment) PyTuple_GET_ITEM(segment, 1)
#define SEGMENT_POSITION(segment) PyTuple_GET_ITEM(segment, 2)

/* The tag as a number for a switch; 0 for anything that is not a 2- or 3-letter tag. */
static unsigned
tag_of(PyObject *segment)
{
    PyObject *tag = SEGMENT_TAG(segment);
    Py_ssize_t length = PyUnicode_GET_LENGTH(tag);
    if (PyUnicode_KIND(tag) != PyUnicode_1BYTE_KIND || length < 2 || length > 3) {
        return 0;
    }
    const Py_UCS1 *chars = PyUnicode_1BYTE_DATA(tag);
    return TAG(chars[0], chars[1], length == 3 ? chars[2] : 0);
}

static int
check_segment(PyObject *segment)
{
    if (PyTuple_Check(segment) && PyTuple_GET_SIZE(segment) == 3 &&
        PyUnicode_Check(SEGMENT_TAG(segment)) && PyTuple_Check(SEGMENT_FIELDS(segment))) {
        return 0;
    }
    PyErr_SetString(PyExc_TypeError, "an 835 reader takes Segment values");
    return -1;
}

/* Element ``number`` of ``fields`` (borrowed), '' when absent. */
static PyObject *
field(PyObject *fields, Py_ssize_t number)
{
    return number < PyTuple_GET_SIZE(fields) ? PyTuple_GET_ITEM(fields, number) : empty_text;
}

static int
is_filled(PyObject *text)
{
    return !PyUnicode_Check(text) || PyUnicode_GET_LENGTH(text) > 0;
}

/* -- typed values ------------------------------------------------------------------------- */

/* A typed value of ``which`` with every field still NULL; PUT and KEEP fill it in a function
 * that has ``value`` and a ``fail`` label (a value half filled is freed safely). */
static PyObject *
new_model(enum model which)
{
    PyTypeObject *type = models[which];
    return type->tp_alloc(type, model_sizes[which]);
}

#define PUT(index, expression)                                                              \
    do {                                                                                    \
        PyObject *item_ = (expression);                                                     \
        if (item_ == NULL) {                                                                \
            goto fail;                                                                      \
        }                                                                                   \
        PyTuple_SET_ITEM(value, (index), item_);                                            \
    } while (0)
#define KEEP(index, borrowed) PUT(index, Py_NewRef(borrowed))

/* ``value`` complete: it holds no container that could lead back to it. */
static PyObject *
done(PyObject *value)
{
    PyObject_GC_UnTrack(value);
    return value;
}

/* A list's items as a tuple taken off the collector's lists (see the top of this file). */
static PyObject *
frozen(PyObject *list)
{
    if (PyList_GET_SIZE(list) == 0) {
        return Py_NewRef(empty_tuple);
    }
    PyObject *tuple = PyList_AsTuple(list);
    if (tuple != NULL) {
        PyObject_GC_UnTrack(tuple);
    }
    return tuple;
}

/* -- one transaction set's converters (the dicts of its Elements) ----------------------- */

typedef struct {
    PyObject *elements;  /* borrowed */
    PyObject *amounts, *numbers, *dates, *procedures;
    PyObject *component_separator;
} Converters;

static int
converters_open(Converters *converters, PyObject *elements)
{
    converters->elements = elements;
    converters->amounts = PyObject_GetAttrString(elements, "amounts");
    converters->numbers = PyObject_GetAttrString(elements, "numbers");
    converters->dates = PyObject_GetAttrString(elements, "dates");
    converters->procedures = PyObject_GetAttrString(elements, "procedures");
    converters->component_separator = PyObject_GetAttrString(elements, "component_separator");
    if (converters->amounts && converters->numbers && converters->dates &&
        converters->procedures && converters->component_separator &&
        PyDict_CheckExact(converters->amounts) &&
        PyDict_CheckExact(converters->numbers) && PyDict_CheckExact(converters->dates) &&
        PyDict_CheckExact(converters->procedures)) {
        return 0;
    }
    if (!PyErr_Occurred()) {
        PyErr_SetString(PyExc_TypeError, "Elements must hold its caches as dicts");
    }
    return -1;
}

static void
converters_close(Converters *converters)
{
    Py_XDECREF(converters->amounts);
    Py_XDECREF(converters->numbers);
    Py_XDECREF(converters->dates);
    Py_XDECREF(converters->procedures);
    Py_XDECREF(converters->component_separator);
}

/* elements.<method>(segment) */
static PyObject *
ask_segment(Converters *converters, enum method method, PyObject *segment)
{
    PyObject *args[2] = {converters->elements, segment};
    return PyObject_VectorcallMethod(methods[method], args,
                                     2 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
}

/* elements.<method>(text, segment, number) */
static PyObject *
ask_text(Converters *converters, enum method method, PyObject *text, PyObject *segment,
         long number)
{
    PyObject *position = PyLong_FromLong(number);
    if (position == NULL) {
        return NULL;
    }
    PyObject *args[4] = {converters->elements, text, segment, position};
    PyObject *result = PyObject_VectorcallMethod(methods[method], args,
                                                 4 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    Py_DECREF(position);
    return result;
}

/* The value remembered for ``text`` in ``cache`` (new reference); NULL with no error set
 * when there is none. */
static PyObject *
remembered(PyObject *cache, PyObject *text)
{
    PyObject *value = PyDict_GetItemWithError(cache, text);
    return value ? Py_NewRef(value) : NULL;
}

static PyObject *
remember(PyObject *cache, PyObject *text, PyObject *value)
{
    if (PyDict_SetItem(cache, text, value) < 0) {
        Py_DECREF(value);
        return NULL;
    }
    return value;
}

#define PLAIN_LENGTH 20
#define MAX_DIGITS 18 /* values.MAX_DIGITS: the most digits an X12 R or N element holds */

/* ``text`` as an amount with at least two decimals when it is plain ("150", "-7.5",
 * "20.25": an optional minus, digits, then a dot and digits); NULL with no error set when it
 * is anything else, which elements.money then reads (or rejects, naming the element). */
static PyObject *
plain_money(PyObject *text)
{
    if (!PyUnicode_Check(text) || !PyUnicode_IS_ASCII(text)) {
        return NULL;
    }
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    const char *chars = (const char *)PyUnicode_1BYTE_DATA(text);
    if (length == 0 || length > PLAIN_LENGTH) {
        return NULL;
    }
    Py_ssize_t at = chars[0] == '-' ? 1 : 0, integer_digits = 0, decimals = -1;
    for (; at < length; at++) {
        char c = chars[at];
        if (c >= '0' && c <= '9') {
            if (decimals < 0) {
                integer_digits++;
            }
            else {
                decimals++;
            }
        }
        else if (c == '.' && decimals < 0) {
            decimals = 0;
        }
        else {
            return NULL;
        }
    }
    if (integer_digits == 0 || decimals == 0) {
        return NULL;
    }
    if (integer_digits + (decimals > 0 ? decimals : 0) > MAX_DIGITS) {
        return NULL; /* more than X12 allows: values.money refuses it, naming the element */
    }
    if (decimals >= 2) {
        return PyObject_CallOneArg(decimal_type, text);
    }
    char padded[PLAIN_LENGTH + 4];
    memcpy(padded, chars, (size_t)length);
    Py_ssize_t padded_length = length;
    if (decimals < 0) {
        padded[padded_length++] = '.';
    }
    while (padded_length - length < (decimals < 0 ? 3 : 2 - decimals)) {
        padded[padded_length++] = '0';
    }
    PyObject *padded_text = PyUnicode_FromStringAndSize(padded, padded_length);
    if (padded_text == NULL) {
        return NULL;
    }
    PyObject *amount = PyObject_CallOneArg(decimal_type, padded_text);
    Py_DECREF(padded_text);
    return amount;
}

/* The value of a plain ``text``; NULL with no error set when ``text`` is not plain. */
typedef PyObject *(*PlainReader)(PyObject *text);

/* Element ``number`` (``text``) of ``segment``: remembered in ``cache``, else read by
 * ``plain`` (and remembered), else by the Elements method ``method``, which remembers it too
 * or raises the error that names the element. */
static PyObject *
converted(Converters *converters, PyObject *cache, PlainReader plain, enum method method,
          PyObject *text, PyObject *segment, long number)
{
    PyObject *value = remembered(cache, text);
    if (value != NULL || PyErr_Occurred()) {
        return value;
    }
    value = plain(text);
    if (value != NULL) {
        return remember(cache, text, value);
    }
    return PyErr_Occurred() ? NULL : ask_text(converters, method, text, segment, number);
}

/* Element ``number`` (``text``) of ``segment`` as Elements.money reads it. */
static PyObject *
money(Converters *converters, PyObject *text, PyObject *segment, long number)
{
    return converted(converters, converters->amounts, plain_money, E_MONEY, text, segment,
                     number);
}

/* As Elements.optional_decimal: None for '', else an exact decimal. */
static PyObject *
optional_decimal(Converters *converters, PyObject *text, PyObject *segment, long number)
{
    if (!is_filled(text)) {
        return Py_NewRef(Py_None);
    }
    PyObject *value = remembered(converters->numbers, text);
    if (value != NULL || PyErr_Occurred()) {
        return value;
    }
    return ask_text(converters, E_DECIMAL, text, segment, number);
}

/* ``text`` as a date when it is 8 ASCII digits of a real date; NULL with no error set when
 * it is anything else, which elements.date then rejects with the element named. */
static PyObject *
plain_date(PyObject *text)
{
    if (!PyUnicode_Check(text) || !PyUnicode_IS_ASCII(text) || PyUnicode_GET_LENGTH(text) != 8) {
        return NULL;
    }
    const char *chars = (const char *)PyUnicode_1BYTE_DATA(text);
    int digits[8];
    for (int at = 0; at < 8; at++) {
        if (chars[at] < '0' || chars[at] > '9') {
            return NULL;
        }
        digits[at] = chars[at] - '0';
    }
    int year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3];
    int month = digits[4] * 10 + digits[5], day = digits[6] * 10 + digits[7];
    PyObject *found = PyDate_FromDate(year, month, day);
    if (found == NULL && PyErr_ExceptionMatches(PyExc_ValueError)) {
        PyErr_Clear();  /* not a real date: the Python reader says so, naming the element */
    }
    return found;
}

/* Element ``number`` (``text``) of ``segment`` as Elements.date reads it. */
static PyObject *
date(Converters *converters, PyObject *text, PyObject *segment, long number)
{
    return converted(converters, converters->dates, plain_date, E_DATE, text, segment, number);
}

/* list[start:end] as a tuple. */
static PyObject *
items_as_tuple(PyObject *list, Py_ssize_t start, Py_ssize_t end)
{
    if (end <= start) {
        return Py_NewRef(empty_tuple);
    }
    PyObject *tuple = PyTuple_New(end - start);
    if (tuple == NULL) {
        return NULL;
    }
    for (Py_ssize_t index = start; index < end; index++) {
        PyTuple_SET_ITEM(tuple, index - start, Py_NewRef(PyList_GET_ITEM(list, index)));
    }
    PyObject_GC_UnTrack(tuple);
    return tuple;
}

/* A C003 composite of at most 8 components as Elements.procedure reads it: qualifier, code,
 * modifiers (trailing empty ones dropped), description, product id; NULL with no error set
 * for anything else. */
static PyObject *
plain_procedure(Converters *converters, PyObject *text)
{
    PyObject *separator = converters->component_separator;
    if (!PyUnicode_Check(text) || !PyUnicode_Check(separator) ||
        PyUnicode_GET_LENGTH(separator) != 1) {
        return NULL;
    }
    PyObject *parts = PyUnicode_Split(text, separator, -1);
    if (parts == NULL) {
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(parts);
    if (count > 8) {
        Py_DECREF(parts);
        return NULL;
    }
    Py_ssize_t modifiers_end = count < 6 ? count : 6;
    while (modifiers_end > 2 && !is_filled(PyList_GET_ITEM(parts, modifiers_end - 1))) {
        modifiers_end--;
    }
    PyObject *value = new_model(M_PROCEDURE);
    if (value == NULL) {
        Py_DECREF(parts);
        return NULL;
    }
    KEEP(0, PyList_GET_ITEM(parts, 0));
    KEEP(1, count > 1 ? PyList_GET_ITEM(parts, 1) : empty_text);
    PUT(2, items_as_tuple(parts, 2, modifiers_end));
    KEEP(3, count > 6 ? PyList_GET_ITEM(parts, 6) : empty_text);
    KEEP(4, count > 7 ? PyList_GET_ITEM(parts, 7) : empty_text);
    Py_DECREF(parts);
    return done(value);
fail:
    Py_DECREF(parts);
    Py_DECREF(value);
    return NULL;
}

static PyObject *
procedure(Converters *converters, PyObject *text)
{
    PyObject *value = remembered(converters->procedures, text);
    if (value != NULL || PyErr_Occurred()) {
        return value;
    }
    value = plain_procedure(converters, text);
    if (value != NULL) {
        return remember(converters->procedures, text, value);
    }
    if (PyErr_Occurred()) {
        return NULL;
    }
    PyObject *args[2] = {converters->elements, text};
    return PyObject_VectorcallMethod(methods[E_PROCEDURE], args,
                                     2 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
}

static PyObject *
optional_money(Converters *converters, PyObject *text, PyObject *segment, long number)
{
    return is_filled(text) ? money(converters, text, segment, number) : Py_NewRef(Py_None);
}

/* -- segments → typed values (the shapes of the fast paths in elements.py) --------------- */

/* A typed value of ``which`` holding elements 1…``count`` of ``segment`` as text ('' where
 * absent), then its position: the shape of NM1, REF and LQ. */
static PyObject *
copy_elements(enum model which, PyObject *segment, Py_ssize_t count)
{
    PyObject *fields = SEGMENT_FIELDS(segment);
    PyObject *value = new_model(which);
    if (value == NULL) {
        return NULL;
    }
    for (Py_ssize_t number = 1; number <= count; number++) {
        PyTuple_SET_ITEM(value, number - 1, Py_NewRef(field(fields, number)));
    }
    PyTuple_SET_ITEM(value, count, Py_NewRef(SEGMENT_POSITION(segment)));
    return done(value);
}


static PyObject *
read_clp(Converters *converters, PyObject *segment)
{
    PyObject *fields = SEGMENT_FIELDS(segment);
    if (PyTuple_GET_SIZE(fields) > 15 || !is_filled(field(fields, 1)) ||
        !is_filled(field(fields, 2))) {
        return ask_segment(converters, E_CLP, segment);
    }
    PyObject *value = new_model(M_CLP);
    if (value == NULL) {
        return NULL;
    }
    KEEP(0, field(fields, 1));
    KEEP(1, field(fields, 2));
    PUT(2, money(converters, field(fields, 3), segment, 3));
    PUT(3, money(converters, field(fields, 4), segment, 4));
    PUT(4, optional_money(converters, field(fields, 5), segment, 5));
    for (Py_ssize_t number = 6; number < 12; number++) {
        KEEP(number - 1, field(fields, number));
    }
    PUT(11, optional_decimal(converters, field(fields, 12), segment, 12));
    PUT(12, optional_decimal(converters, field(fields, 13), segment, 13));
    KEEP(13, field(fields, 14));
    KEEP(14, SEGMENT_POSITION(segment));
    return done(value);
fail:
    Py_DECREF(value);
    return NULL;
}

static PyObject *
read_nm1(Converters *converters, PyObject *segment)
{
    if (PyTuple_GET_SIZE(SEGMENT_FIELDS(segment)) > 13) {
        return ask_segment(converters, E_NM1, segment);
    }
    return copy_elements(M_NM1, segment, 12);
}

static PyObject *
read_dtm(Converters *converters, PyObject *segment)
{
    PyObject *fields = SEGMENT_FIELDS(segment);
    if (PyTuple_GET_SIZE(fields) != 3 || !is_filled(field(fields, 2))) {
        return ask_segment(converters, E_DTM, segment);
    }
    PyObject *value = new_model(M_DTM);
    if (value == NULL) {
        return NULL;
    }
    KEEP(0, field(fields, 1));
    PUT(1, date(converters, field(fields, 2), segment, 2));
    for (Py_ssize_t index = 2; index < 6; index++) {
        KEEP(index, empty_text);
    }
    KEEP(6, SEGMENT_POSITION(segment));
    return done(value);
fail:
    Py_DECREF(value);
    return NULL;
}

/* Appends ``found`` (a new reference, or NULL on error) to ``list``. */
static int
append_new(PyObject *list, PyObject *found)
{
    if (found == NULL) {
        return -1;
    }
    int appended = PyList_Append(list, found);
    Py_DECREF(found);
    return appended;
}

/* Appends the items of ``found`` (a new reference to a list, or NULL on error) to ``list``. */
static int
extend(PyObject *list, PyObject *found)
{
    if (found == NULL) {
        return -1;
    }
    Py_ssize_t end = PyList_GET_SIZE(list);
    int extended = PyList_SetSlice(list, end, end, found);
    Py_DECREF(found);
    return extended;
}

/* Appends the adjustments of a CAS to ``adjustments``. */
static int
add_cas(Converters *converters, PyObject *segment, PyObject *adjustments)
{
    PyObject *fields = SEGMENT_FIELDS(segment);
    Py_ssize_t count = PyTuple_GET_SIZE(fields);
    if ((count != 4 && count != 5) || !is_filled(field(fields, 1)) ||
        !is_filled(field(fields, 2)) || !is_filled(field(fields, 3))) {
        return extend(adjustments, ask_segment(converters, E_CAS, segment));
    }
    PyObject *value = new_model(M_ADJUSTMENT);
    if (value == NULL) {
        return -1;
    }
    KEEP(0, field(fields, 1));
    KEEP(1, field(fields, 2));
    PUT(2, money(converters, field(fields, 3), segment, 3));
    PUT(3, count == 5 ? optional_decimal(converters, field(fields, 4), segment, 4)
                      : Py_NewRef(Py_None));
    KEEP(4, SEGMENT_POSITION(segment));
    int added = PyList_Append(adjustments, done(value));
    Py_DECREF(value);
    return added;
fail:
    Py_DECREF(value);
    return -1;
}

static PyObject *
read_ref(Converters *converters, PyObject *segment)
{
    if (PyTuple_GET_SIZE(SEGMENT_FIELDS(segment)) != 3) {
        return ask_segment(converters, E_REF, segment);
    }
    return copy_elements(M_REF, segment, 4);  /* REF03 and REF04 are '' */
}

static PyObject *
read_svc(Converters *converters, PyObject *segment)
{
    PyObject *fields = SEGMENT_FIELDS(segment);
    if (PyTuple_GET_SIZE(fields) > 8 || !is_filled(field(fields, 1))) {
        return ask_segment(converters, E_SVC, segment);
    }
    PyObject *value = new_model(M_SVC);
    if (value == NULL) {
        return NULL;
    }
    PyObject *units = field(fields, 5), *original = field(fields, 6);
    PyObject *original_units = field(fields, 7);
    PUT(0, procedure(converters, field(fields, 1)));
    PUT(1, money(converters, field(fields, 2), segment, 2));
    PUT(2, money(converters, field(fields, 3), segment, 3));
    KEEP(3, field(fields, 4));
    PUT(4, optional_decimal(converters, units, segment, 5));
    PUT(5, is_filled(original) ? procedure(converters, original) : Py_NewRef(Py_None));
    PUT(6, optional_decimal(converters, original_units, segment, 7));
    KEEP(7, SEGMENT_POSITION(segment));
    return done(value);
fail:
    Py_DECREF(value);
    return NULL;
}

static PyObject *
read_amt(Converters *converters, PyObject *segment)
{
    PyObject *fields = SEGMENT_FIELDS(segment);
    if (PyTuple_GET_SIZE(fields) != 3 || !is_filled(field(fields, 2))) {
        return ask_segment(converters, E_AMT, segment);
    }
    PyObject *value = new_model(M_AMT);
    if (value == NULL) {
        return NULL;
    }
    KEEP(0, field(fields, 1));
    PUT(1, money(converters, field(fields, 2), segment, 2));
    KEEP(2, empty_text);
    KEEP(3, SEGMENT_POSITION(segment));
    return done(value);
fail:
    Py_DECREF(value);
    return NULL;
}

static PyObject *
read_moa(Converters *converters, PyObject *segment)
{
    PyObject *fields = SEGMENT_FIELDS(segment);
    if (PyTuple_GET_SIZE(fields) > 10) {
        return ask_segment(converters, E_MOA, segment);
    }
    PyObject *value = new_model(M_MOA);
    if (value == NULL) {
        return NULL;
    }
    PUT(0, optional_decimal(converters, field(fields, 1), segment, 1));
    PUT(1, optional_money(converters, field(fields, 2), segment, 2));
    for (Py_ssize_t number = 3; number < 8; number++) {
        KEEP(number - 1, field(fields, number));
    }
    PUT(7, optional_money(converters, field(fields, 8), segment, 8));
    PUT(8, optional_money(converters, field(fields, 9), segment, 9));
    KEEP(9, SEGMENT_POSITION(segment));
    return done(value);
fail:
    Py_DECREF(value);
    return NULL;
}

static PyObject *
read_lq(Converters *converters, PyObject *segment)
{
    PyObject *fields = SEGMENT_FIELDS(segment);
    if (PyTuple_GET_SIZE(fields) != 3 || !is_filled(field(fields, 2))) {
        return ask_segment(converters, E_LQ, segment);
    }
    return copy_elements(M_LQ, segment, 2);
}

/* -- loops 2110 and 2100 (claims.py's _line and _claim) ---------------------------------- */

typedef struct {
    PyObject *dates, *adjustments, *references, *amounts, *remarks, *names, *rest;
} Parts;

static int
parts_open(Parts *parts)
{
    PyObject **lists[] = {&parts->dates, &parts->adjustments, &parts->references,
                          &parts->amounts, &parts->remarks, &parts->names, &parts->rest};
    for (size_t index = 0; index < sizeof lists / sizeof lists[0]; index++) {
        *lists[index] = PyList_New(0);
        if (*lists[index] == NULL) {
            return -1;
        }
    }
    return 0;
}

static void
parts_close(Parts *parts)
{
    Py_XDECREF(parts->dates);
    Py_XDECREF(parts->adjustments);
    Py_XDECREF(parts->references);
    Py_XDECREF(parts->amounts);
    Py_XDECREF(parts->remarks);
    Py_XDECREF(parts->names);
    Py_XDECREF(parts->rest);
}

/* (quantities, others) of a line's uncommon segments, as claims._line_rest gives them; NULL
 * with no error set when there are none. */
static PyObject *
line_rest(Converters *converters, PyObject *rest)
{
    if (PyList_GET_SIZE(rest) == 0) {
        return NULL;
    }
    PyObject *found = PyObject_CallFunctionObjArgs(line_rest_function, converters->elements,
                                                   rest, NULL);
    if (found != NULL && (!PyTuple_Check(found) || PyTuple_GET_SIZE(found) != 2)) {
        PyErr_SetString(PyExc_TypeError, "_line_rest must give (quantities, others)");
        Py_CLEAR(found);
    }
    return found;
}

/* Sorts a service line's segments into ``parts``; returns the first REF*6R (or None). */
static PyObject *
sort_line(Converters *converters, PyObject *segments, Parts *parts)
{
    PyObject *control = Py_NewRef(Py_None);
    for (Py_ssize_t index = 0; index < PyList_GET_SIZE(segments); index++) {
        PyObject *segment = PyList_GET_ITEM(segments, index);
        int failed;
        switch (tag_of(segment)) {
        case T_DTM:
            failed = append_new(parts->dates, read_dtm(converters, segment));
            break;
        case T_CAS:
            failed = add_cas(converters, segment, parts->adjustments);
            break;
        case T_REF: {
            PyObject *reference = read_ref(converters, segment);
            if (reference == NULL) {
                failed = -1;
                break;
            }
            int is_control = 0;
            if (control == Py_None) {
                PyObject *qualifier = PyTuple_Check(reference) && PyTuple_GET_SIZE(reference)
                                          ? PyTuple_GET_ITEM(reference, 0) : Py_None;
                is_control = PyObject_RichCompareBool(qualifier, line_control_qualifier, Py_EQ);
            }
            if (is_control < 0) {
                Py_DECREF(reference);
                failed = -1;
            }
            else if (is_control) {
                Py_SETREF(control, reference);
                failed = 0;
            }
            else {
                failed = append_new(parts->references, reference);
            }
            break;
        }
        case T_AMT:
            failed = append_new(parts->amounts, read_amt(converters, segment));
            break;
        case T_LQ:
            failed = append_new(parts->remarks, read_lq(converters, segment));
            break;
        default:
            failed = PyList_Append(parts->rest, segment);
        }
        if (failed) {
            Py_DECREF(control);
            return NULL;
        }
    }
    return control;
}

/* Loop 2110 from its SVC (a new reference, taken) and the segments after it. */
static PyObject *
build_line(Converters *converters, PyObject *svc, PyObject *segments)
{
    Parts parts = {0};
    PyObject *value = NULL, *control = NULL, *rest = NULL;
    if (parts_open(&parts) < 0 || (control = sort_line(converters, segments, &parts)) == NULL) {
        goto fail;
    }
    rest = line_rest(converters, parts.rest);
    if ((rest == NULL && PyErr_Occurred()) || (value = new_model(M_LOOP2110)) == NULL) {
        goto fail;
    }
    PyTuple_SET_ITEM(value, 0, svc);
    svc = NULL;
    PUT(1, frozen(parts.dates));
    PUT(2, frozen(parts.adjustments));
    PyTuple_SET_ITEM(value, 3, control);
    control = NULL;
    PUT(4, frozen(parts.references));
    PUT(5, frozen(parts.amounts));
    KEEP(6, rest ? PyTuple_GET_ITEM(rest, 0) : empty_tuple);
    PUT(7, frozen(parts.remarks));
    KEEP(8, rest ? PyTuple_GET_ITEM(rest, 1) : empty_tuple);
    Py_XDECREF(rest);
    parts_close(&parts);
    return done(value);
fail:
    Py_XDECREF(svc);
    Py_XDECREF(control);
    Py_XDECREF(rest);
    Py_XDECREF(value);
    parts_close(&parts);
    return NULL;
}

static int
sort_claim(Converters *converters, PyObject *segments, Parts *parts)
{
    for (Py_ssize_t index = 0; index < PyList_GET_SIZE(segments); index++) {
        PyObject *segment = PyList_GET_ITEM(segments, index);
        int failed;
        switch (tag_of(segment)) {
        case T_NM1:
            failed = append_new(parts->names, read_nm1(converters, segment));
            break;
        case T_DTM:
            failed = append_new(parts->dates, read_dtm(converters, segment));
            break;
        case T_CAS:
            failed = add_cas(converters, segment, parts->adjustments);
            break;
        case T_REF:
            failed = append_new(parts->references, read_ref(converters, segment));
            break;
        default:
            failed = PyList_Append(parts->rest, segment);
        }
        if (failed) {
            return -1;
        }
    }
    return 0;
}

/* Loop 2100 from its CLP (a new reference, taken), the segments before the first SVC and
 * its service lines. The less common segments go to claims._claim_rest, which gives
 * (mia, moa, contacts, amounts, quantities, others). */
static PyObject *
build_claim(Converters *converters, PyObject *clp, PyObject *segments, PyObject *lines)
{
    Parts parts = {0};
    PyObject *value = NULL, *rest = NULL;
    if (parts_open(&parts) < 0 || sort_claim(converters, segments, &parts) < 0 ||
        (value = new_model(M_LOOP2100)) == NULL) {
        goto fail;
    }
    if (PyList_GET_SIZE(parts.rest) == 1 && tag_of(PyList_GET_ITEM(parts.rest, 0)) == T_MOA) {
        PyObject *moa = read_moa(converters, PyList_GET_ITEM(parts.rest, 0));
        /* as _claim_rest gives it for a lone MOA: (mia, moa, contacts, amounts, ...) */
        rest = moa ? PyTuple_Pack(6, Py_None, moa, empty_tuple, empty_tuple, empty_tuple,
                                  empty_tuple) : NULL;
        Py_XDECREF(moa);
        if (rest == NULL) {
            goto fail;
        }
    }
    else if (PyList_GET_SIZE(parts.rest) > 0) {
        rest = PyObject_CallFunctionObjArgs(claim_rest_function, converters->elements,
                                            parts.rest, NULL);
        if (rest == NULL) {
            goto fail;
        }
        if (!PyTuple_Check(rest) || PyTuple_GET_SIZE(rest) != 6) {
            PyErr_SetString(PyExc_TypeError, "_claim_rest must give six parts");
            goto fail;
        }
    }
    PyTuple_SET_ITEM(value, 0, clp);
    clp = NULL;
    PUT(1, frozen(parts.adjustments));
    PUT(2, frozen(parts.names));
    KEEP(3, rest ? PyTuple_GET_ITEM(rest, 0) : Py_None);
    KEEP(4, rest ? PyTuple_GET_ITEM(rest, 1) : Py_None);
    PUT(5, frozen(parts.references));
    PUT(6, frozen(parts.dates));
    KEEP(7, rest ? PyTuple_GET_ITEM(rest, 2) : empty_tuple);
    KEEP(8, rest ? PyTuple_GET_ITEM(rest, 3) : empty_tuple);
    KEEP(9, rest ? PyTuple_GET_ITEM(rest, 4) : empty_tuple);
    PUT(10, frozen(lines));
    KEEP(11, rest ? PyTuple_GET_ITEM(rest, 5) : empty_tuple);
    Py_XDECREF(rest);
    parts_close(&parts);
    return done(value);
fail:
    Py_XDECREF(clp);
    Py_XDECREF(rest);
    Py_XDECREF(value);
    parts_close(&parts);
    return NULL;
}

/* -- the reader (claims.py's ClaimsReader) ---------------------------------------------- */

typedef struct {
    Converters converters;
    PyObject *groups, *provider_adjustments, *transaction_others;
    int in_footer;
    PyObject *lx;  /* the open LX segment, or NULL */
    PyObject *group_segments, *claims;
    PyObject *clp;  /* the open claim's Clp, or NULL */
    PyObject *claim_segments, *lines;
    PyObject *svc;  /* the open line's Svc, or NULL */
    PyObject *line_segments;
    PyObject *bucket;  /* borrowed: where a segment without a handler goes */
} Reader;

/* Replaces the list in ``*slot`` by a new empty one. */
static int
renew(PyObject **slot)
{
    PyObject *fresh = PyList_New(0);
    if (fresh == NULL) {
        return -1;
    }
    Py_SETREF(*slot, fresh);
    return 0;
}

static int
close_line(Reader *reader)
{
    if (reader->svc == NULL) {
        return 0;
    }
    PyObject *svc = reader->svc;
    reader->svc = NULL;
    if (append_new(reader->lines, build_line(&reader->converters, svc, reader->line_segments))) {
        return -1;
    }
    return renew(&reader->line_segments);
}

static int
close_claim(Reader *reader)
{
    if (close_line(reader) < 0) {
        return -1;
    }
    if (reader->clp == NULL) {
        return 0;
    }
    PyObject *clp = reader->clp;
    reader->clp = NULL;
    PyObject *claim = build_claim(&reader->converters, clp, reader->claim_segments,
                                  reader->lines);
    if (append_new(reader->claims, claim) < 0) {
        return -1;
    }
    return renew(&reader->claim_segments) < 0 ? -1 : renew(&reader->lines);
}

static int
close_group(Reader *reader)
{
    if (close_claim(reader) < 0) {
        return -1;
    }
    if (reader->lx == NULL && PyList_GET_SIZE(reader->claims) == 0 &&
        PyList_GET_SIZE(reader->group_segments) == 0) {
        return 0;
    }
    PyObject *group = PyObject_CallFunctionObjArgs(
        group_function, reader->converters.elements, reader->lx ? reader->lx : Py_None,
        reader->group_segments, reader->claims, NULL);
    if (append_new(reader->groups, group) < 0) {
        return -1;
    }
    Py_CLEAR(reader->lx);
    return renew(&reader->group_segments) < 0 ? -1 : renew(&reader->claims);
}

static int
on_segment(Reader *reader, PyObject *segment)
{
    Converters *converters = &reader->converters;
    switch (tag_of(segment)) {
    case T_LX:
        if (reader->in_footer) {
            return PyList_Append(reader->bucket, segment);
        }
        if (close_group(reader) < 0) {
            return -1;
        }
        reader->lx = Py_NewRef(segment);
        reader->bucket = reader->group_segments;
        return 0;
    case T_CLP:
        if (reader->in_footer) {
            return PyList_Append(reader->bucket, segment);
        }
        if (close_claim(reader) < 0 || (reader->clp = read_clp(converters, segment)) == NULL) {
            return -1;
        }
        reader->bucket = reader->claim_segments;
        return 0;
    case T_SVC:
        if (reader->clp == NULL) {
            return PyList_Append(reader->bucket, segment);
        }
        if (close_line(reader) < 0 || (reader->svc = read_svc(converters, segment)) == NULL) {
            return -1;
        }
        reader->bucket = reader->line_segments;
        return 0;
    case T_PLB: {
        if (close_group(reader) < 0) {
            return -1;
        }
        reader->in_footer = 1;
        reader->bucket = reader->transaction_others;
        return extend(reader->provider_adjustments, ask_segment(converters, E_PLB, segment));
    }
    case T_SE:
        return close_group(reader);
    default:
        return PyList_Append(reader->bucket, segment);
    }
}

static void
reader_close(Reader *reader)
{
    converters_close(&reader->converters);
    Py_XDECREF(reader->groups);
    Py_XDECREF(reader->provider_adjustments);
    Py_XDECREF(reader->lx);
    Py_XDECREF(reader->group_segments);
    Py_XDECREF(reader->claims);
    Py_XDECREF(reader->clp);
    Py_XDECREF(reader->claim_segments);
    Py_XDECREF(reader->lines);
    Py_XDECREF(reader->svc);
    Py_XDECREF(reader->line_segments);
}

static int
reader_open(Reader *reader, PyObject *elements, PyObject *transaction_others)
{
    reader->transaction_others = transaction_others;
    if (converters_open(&reader->converters, elements) < 0) {
        return -1;
    }
    PyObject **lists[] = {&reader->groups, &reader->provider_adjustments,
                          &reader->group_segments, &reader->claims, &reader->claim_segments,
                          &reader->lines, &reader->line_segments};
    for (size_t index = 0; index < sizeof lists / sizeof lists[0]; index++) {
        *lists[index] = PyList_New(0);
        if (*lists[index] == NULL) {
            return -1;
        }
    }
    reader->bucket = reader->group_segments;
    return 0;
}

static PyObject *
read_claims(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "read takes 4 arguments");
        return NULL;
    }
    if (models[0] == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "setup() was not called");
        return NULL;
    }
    PyObject *elements = args[0], *segments = args[1], *transaction_others = args[3];
    Py_ssize_t start = PyLong_AsSsize_t(args[2]);
    if (start == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (!PyTuple_Check(segments) || !PyList_Check(transaction_others)) {
        PyErr_SetString(PyExc_TypeError, "read(Elements, tuple, int, list)");
        return NULL;
    }
    Reader reader = {0};
    PyObject *result = NULL;
    if (reader_open(&reader, elements, transaction_others) < 0) {
        goto end;
    }
    for (Py_ssize_t index = start < 0 ? 0 : start; index < PyTuple_GET_SIZE(segments); index++) {
        PyObject *segment = PyTuple_GET_ITEM(segments, index);
        if (check_segment(segment) < 0 || on_segment(&reader, segment) < 0) {
            goto end;
        }
    }
    result = PyTuple_Pack(2, reader.groups, reader.provider_adjustments);
end:
    reader_close(&reader);
    return result;
}

/* -- setup ------------------------------------------------------------------------------- */

static int
take_model(PyObject *types, enum model which)
{
    PyObject *type = PyDict_GetItemString(types, model_names[which]);
    if (type == NULL || !PyType_Check(type) ||
        !PyType_IsSubtype((PyTypeObject *)type, &PyTuple_Type)) {
        PyErr_Format(PyExc_TypeError, "setup needs the NamedTuple %s", model_names[which]);
        return -1;
    }
    PyObject *names = PyObject_GetAttrString(type, "_fields");
    if (names == NULL) {
        return -1;
    }
    Py_ssize_t size = PyObject_Length(names);
    Py_DECREF(names);
    if (size != model_sizes[which]) {
        PyErr_Format(PyExc_TypeError, "%s has %zd fields; this reader builds %zd",
                     model_names[which], size, model_sizes[which]);
        return -1;
    }
    Py_XSETREF(models[which], (PyTypeObject *)Py_NewRef(type));
    return 0;
}

static PyObject *
setup(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyDict_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError,
                        "setup(models: dict, Decimal, _group, _line_rest, _claim_rest)");
        return NULL;
    }
    for (int which = 0; which < M_COUNT; which++) {
        if (take_model(args[0], (enum model)which) < 0) {
            return NULL;
        }
    }
    Py_XSETREF(decimal_type, Py_NewRef(args[1]));
    Py_XSETREF(group_function, Py_NewRef(args[2]));
    Py_XSETREF(line_rest_function, Py_NewRef(args[3]));
    Py_XSETREF(claim_rest_function, Py_NewRef(args[4]));
    Py_RETURN_NONE;
}

static PyMethodDef claims_methods[] = {
    {"read", (PyCFunction)(void (*)(void))read_claims, METH_FASTCALL,
     "Loops 2000-2110 and the PLB footer of one 835; see claims.py."},
    {"setup", (PyCFunction)(void (*)(void))setup, METH_FASTCALL,
     "Give the reader the typed-value classes and the Python code it hands work to."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef claims_module = {
    PyModuleDef_HEAD_INIT, "claimbridge.x12.tx835_005010X221A1._claims_c",
    "The hot path of claimbridge.x12.tx835_005010X221A1.claims in C.", -1, claims_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__claims_c(void)
{
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL) {
        return NULL;
    }
    empty_text = PyUnicode_New(0, 0);
    empty_tuple = PyTuple_New(0);
    line_control_qualifier = PyUnicode_InternFromString("6R");
    if (empty_text == NULL || empty_tuple == NULL || line_control_qualifier == NULL) {
        return NULL;
    }
    for (int which = 0; which < E_COUNT; which++) {
        methods[which] = PyUnicode_InternFromString(method_names[which]);
        if (methods[which] == NULL) {
            return NULL;
        }
    }
    return PyModule_Create(&claims_module);
}
