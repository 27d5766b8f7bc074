//! Borrowing numpy arrays as flat byte rows or as typed columns and matrices (exactly one
//! dtype, never converted), and handing results back without copies.
//!
//! Inputs are validated and borrowed while the GIL is held: dtype, dimensions, row width and
//! contiguity are checked here, so every shape error names the argument and the shape it
//! expected. The borrowed slices are then safe to read with the GIL released, provided no
//! other thread mutates the arrays meanwhile (the caller's responsibility, stated in each
//! batch function's docstring).

use numpy::ndarray::{Dimension, Ix1, Ix2};
use numpy::{
    Element, PyArray, PyArray1, PyArray2, PyArrayDyn, PyArrayMethods, PyReadonlyArray,
    PyReadonlyArrayDyn, PyReadwriteArray1, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyBytesMethods, PySequence};
use tpcore_sign::rows::Messages;

use crate::error::CoreError;

/// Whether one row (a `(width,)` or `(1, width)` array) is broadcast over the batch.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Single {
    /// Only `(N, width)` arrays.
    Refused,
    /// `(width,)` is accepted as one row to broadcast over the batch.
    Broadcast,
}

/// A borrowed C-contiguous uint8 array seen as rows of a fixed width.
pub(crate) struct ByteRows<'py> {
    array: PyReadonlyArrayDyn<'py, u8>,
    name: &'static str,
    width: usize,
    rows: usize,
    single: Single,
}

impl ByteRows<'_> {
    /// All rows, back to back.
    pub(crate) fn bytes(&self) -> Result<&[u8], CoreError> {
        self.array
            .as_slice()
            .map_err(|_| CoreError::argument("not_contiguous", "array is not C-contiguous"))
    }

    /// The number of rows (1 for a `(width,)` array).
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// The row width in bytes.
    pub(crate) fn width(&self) -> usize {
        self.width
    }

    /// Checks that this argument has `rows` rows, as `other` has; one row of an argument
    /// that may be broadcast fits any count, as in numpy.
    pub(crate) fn expect_rows(&self, rows: usize, other: &str) -> Result<(), CoreError> {
        if self.rows == rows || (self.single == Single::Broadcast && self.rows == 1) {
            return Ok(());
        }
        Err(CoreError::argument(
            "row_count_mismatch",
            format!("{}: {} rows, but {other} has {rows}", self.name, self.rows),
        ))
    }
}

fn shape_error(name: &str, expected: &str, got: &Bound<'_, PyAny>) -> CoreError {
    CoreError::argument(
        "invalid_shape",
        format!(
            "{name}: expected a uint8 array of shape {expected}, got {}",
            described(got)
        ),
    )
}

/// An argument described for an error message: `float64 array of shape (3,)`, or its type.
fn described(got: &Bound<'_, PyAny>) -> String {
    match got.cast::<PyUntypedArray>() {
        Ok(array) => format!(
            "{} array of shape {}",
            dtype_name(array),
            shape_text(array.shape())
        ),
        Err(_) => got
            .get_type()
            .name()
            .map_or_else(|_| "an object".to_owned(), |n| n.to_string()),
    }
}

/// A typed argument that is not an array of `dtype` and shape `expected`: reason
/// `invalid_dtype` for an array of another dtype, else `invalid_shape`.
fn typed_shape_error(name: &str, dtype: &str, expected: &str, got: &Bound<'_, PyAny>) -> CoreError {
    let wrong_dtype = got
        .cast::<PyUntypedArray>()
        .is_ok_and(|array| dtype_name(array) != dtype);
    CoreError::argument(
        if wrong_dtype {
            "invalid_dtype"
        } else {
            "invalid_shape"
        },
        format!(
            "{name}: expected a {dtype} array of shape {expected}, got {}",
            described(got)
        ),
    )
}

/// A shape as Python writes it: `(3, 32)`, `(32,)`.
fn shape_text(shape: &[usize]) -> String {
    match shape {
        [one] => format!("({one},)"),
        dims => {
            let dims: Vec<String> = dims.iter().map(usize::to_string).collect();
            format!("({})", dims.join(", "))
        }
    }
}

fn dtype_name(array: &Bound<'_, PyUntypedArray>) -> String {
    array.dtype().to_string()
}

/// Borrows `obj` as rows of one of the `widths` (usually one), or as a single row when
/// `single` allows it.
pub(crate) fn byte_rows<'py>(
    obj: &Bound<'py, PyAny>,
    name: &'static str,
    widths: &[usize],
    single: Single,
) -> Result<ByteRows<'py>, CoreError> {
    let expected = || {
        let w = widths
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(" or ");
        if single == Single::Broadcast {
            format!("(N, {w}) or ({w},)")
        } else {
            format!("(N, {w})")
        }
    };
    let Ok(array) = obj.cast::<PyArrayDyn<u8>>() else {
        return Err(shape_error(name, &expected(), obj));
    };
    let (rows, width) = match *array.shape() {
        [rows, width] if widths.contains(&width) => (rows, width),
        [width] if single == Single::Broadcast && widths.contains(&width) => (1, width),
        _ => return Err(shape_error(name, &expected(), obj)),
    };
    if !array.is_c_contiguous() {
        return Err(CoreError::argument(
            "not_contiguous",
            format!("{name}: the array must be C-contiguous (use numpy.ascontiguousarray)"),
        ));
    }
    let array = array.try_readonly().map_err(|_| {
        CoreError::argument(
            "array_in_use",
            format!("{name}: the array is borrowed mutably elsewhere"),
        )
    })?;
    Ok(ByteRows {
        array,
        name,
        width,
        rows,
        single,
    })
}

/// Borrowed messages: a `(N, M)` uint8 array, or a sequence of `bytes`.
pub(crate) enum MessageRows<'py> {
    /// Every message has the same length, M > 0.
    Fixed(ByteRows<'py>),
    /// An `(N, 0)` array: N empty messages, which flat rows of width 0 cannot count.
    Empty(usize),
    /// A sequence of `bytes` objects, kept alive while their contents are borrowed.
    Ragged(Vec<Bound<'py, PyBytes>>),
}

impl MessageRows<'_> {
    /// The number of messages.
    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Fixed(rows) => rows.rows,
            Self::Empty(rows) => *rows,
            Self::Ragged(items) => items.len(),
        }
    }

    /// Slices of every ragged message, for [`MessageRows::view`].
    pub(crate) fn slices(&self) -> Vec<&[u8]> {
        match self {
            Self::Fixed(_) => Vec::new(),
            Self::Empty(rows) => vec![&[][..]; *rows],
            Self::Ragged(items) => items.iter().map(PyBytesMethods::as_bytes).collect(),
        }
    }

    /// The core's view of the messages; `slices` must come from [`MessageRows::slices`].
    pub(crate) fn view<'a>(&'a self, slices: &'a [&'a [u8]]) -> Result<Messages<'a>, CoreError> {
        Ok(match self {
            Self::Fixed(rows) => Messages::Fixed {
                data: rows.bytes()?,
                width: rows.width(),
            },
            Self::Empty(_) | Self::Ragged(_) => Messages::Ragged(slices),
        })
    }
}

/// Borrows messages given as a `(N, M)` uint8 array or a sequence of `bytes`.
pub(crate) fn message_rows<'py>(
    obj: &Bound<'py, PyAny>,
    name: &'static str,
) -> Result<MessageRows<'py>, CoreError> {
    if let Ok(array) = obj.cast::<PyUntypedArray>() {
        let [rows, width] = *array.shape() else {
            return Err(shape_error(name, "(N, M)", obj));
        };
        let rows_of_bytes = byte_rows(obj, name, &[width], Single::Refused)?;
        if width == 0 {
            return Ok(MessageRows::Empty(rows));
        }
        return Ok(MessageRows::Fixed(rows_of_bytes));
    }
    let invalid = || {
        CoreError::argument(
            "invalid_shape",
            format!("{name}: expected a (N, M) uint8 array or a sequence of bytes"),
        )
    };
    if obj.is_instance_of::<PyBytes>() {
        return Err(invalid());
    }
    let sequence = obj.cast::<PySequence>().map_err(|_| invalid())?;
    let count = sequence.len().map_err(|_| invalid())?;
    let mut items = Vec::with_capacity(count);
    for index in 0..count {
        let item = sequence.get_item(index).map_err(|_| invalid())?;
        let bytes = item
            .cast_into::<PyBytes>()
            .map_err(|item| CoreError::Argument {
                reason: "invalid_message",
                message: format!(
                    "{name}[{index}]: expected bytes, got {}",
                    item.into_inner()
                        .get_type()
                        .name()
                        .map_or_else(|_| "an object".to_owned(), |n| n.to_string())
                ),
                index: Some(index),
            })?;
        items.push(bytes);
    }
    Ok(MessageRows::Ragged(items))
}

/// Hands `data` (rows of `width` bytes) to numpy as an `(N, width)` array, without a copy.
pub(crate) fn rows_array(
    py: Python<'_>,
    data: Vec<u8>,
    width: usize,
) -> PyResult<Bound<'_, PyArray2<u8>>> {
    let rows = data.len() / width;
    PyArray1::from_vec(py, data).reshape([rows, width])
}

/// Hands a vector of flags to numpy as a `(N,)` bool array, without a copy.
pub(crate) fn flags_array(py: Python<'_>, flags: Vec<bool>) -> Bound<'_, PyArray1<bool>> {
    PyArray1::from_vec(py, flags)
}

/// A borrowed, read-only, C-contiguous numpy array of `T` with the dimensions `D`, and the
/// name of the argument it came from (for errors about it).
pub(crate) struct Typed<'py, T: Element, D: Dimension> {
    array: PyReadonlyArray<'py, T, D>,
    name: &'static str,
}

/// A borrowed one-dimensional column.
pub(crate) type Column<'py, T> = Typed<'py, T, Ix1>;
/// A borrowed two-dimensional array (rows of equal width).
pub(crate) type Matrix<'py, T> = Typed<'py, T, Ix2>;

impl<T: Element, D: Dimension> Typed<'_, T, D> {
    /// The elements in row-major order.
    pub(crate) fn slice(&self) -> Result<&[T], CoreError> {
        self.array.as_slice().map_err(|_| {
            CoreError::argument(
                "not_contiguous",
                format!("{}: array is not C-contiguous", self.name),
            )
        })
    }

    /// The argument's name.
    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    /// The shape.
    pub(crate) fn shape(&self) -> &[usize] {
        self.array.shape()
    }

    /// Checks the length of the first dimension: `len` rows, as `what` requires.
    pub(crate) fn expect_rows(&self, len: usize, what: &str) -> Result<(), CoreError> {
        let got = self.shape()[0];
        if got == len {
            return Ok(());
        }
        Err(CoreError::argument(
            "row_count_mismatch",
            format!("{}: {got} rows, but {what} has {len}", self.name),
        ))
    }
}

/// Borrows `obj` read-only as a C-contiguous array of exactly `T` (no conversion, no copy)
/// with `D` dimensions; `expected` is the shape the error message shows.
pub(crate) fn typed<'py, T: Element, D: Dimension>(
    obj: &Bound<'py, PyAny>,
    name: &'static str,
    expected: &str,
) -> Result<Typed<'py, T, D>, CoreError> {
    let Ok(array) = obj.cast::<PyArray<T, D>>() else {
        // Only an error needs the dtype's name (its str() runs Python code).
        let dtype = T::get_dtype(obj.py()).to_string();
        return Err(typed_shape_error(name, &dtype, expected, obj));
    };
    if !array.is_c_contiguous() {
        return Err(CoreError::argument(
            "not_contiguous",
            format!("{name}: the array must be C-contiguous (use numpy.ascontiguousarray)"),
        ));
    }
    let array = array.try_readonly().map_err(|_| in_use(name))?;
    Ok(Typed { array, name })
}

/// Borrows a one-dimensional column of `T` (see [`typed`]).
pub(crate) fn column<'py, T: Element>(
    obj: &Bound<'py, PyAny>,
    name: &'static str,
) -> Result<Column<'py, T>, CoreError> {
    typed(obj, name, "(N,)")
}

/// Borrows a two-dimensional array of `T` (see [`typed`]).
pub(crate) fn matrix<'py, T: Element>(
    obj: &Bound<'py, PyAny>,
    name: &'static str,
) -> Result<Matrix<'py, T>, CoreError> {
    typed(obj, name, "(N, M)")
}

/// Borrows an array this crate owns (an output column) for writing.
pub(crate) fn column_mut<'py, T: Element>(
    array: &Bound<'py, PyArray1<T>>,
    name: &'static str,
) -> Result<PyReadwriteArray1<'py, T>, CoreError> {
    array.try_readwrite().map_err(|_| in_use(name))
}

fn in_use(name: &str) -> CoreError {
    CoreError::argument(
        "array_in_use",
        format!(
            "{name}: the array is borrowed elsewhere (another call using it is running, or it is \
             not writeable)"
        ),
    )
}
