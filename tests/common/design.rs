//! A sweep design as a Parquet file, for the tests that read one.

use std::path::Path;

/// Writes the six points of `DESIGN` as a Parquet file (a float column and an integer column),
/// as pandas' `to_parquet` would.
pub fn write_parquet_design(path: &Path) {
    use parquet::basic::{Repetition, Type as Physical};
    use parquet::data_type::{DoubleType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::types::Type;
    use std::sync::Arc;
    let column = |name: &str, physical| {
        Arc::new(Type::primitive_type_builder(name, physical).with_repetition(Repetition::REQUIRED).build().unwrap())
    };
    let schema = Type::group_type_builder("schema")
        .with_fields(vec![
            column("leaders.secretary.attention_hours_per_day", Physical::DOUBLE),
            column("platforms.minhu.arrival_rate_per_day", Physical::INT64),
        ])
        .build()
        .unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut w =
        SerializedFileWriter::new(file, Arc::new(schema), Arc::new(WriterProperties::builder().build())).unwrap();
    let mut group = w.next_row_group().unwrap();
    let mut c = group.next_column().unwrap().unwrap();
    c.typed::<DoubleType>().write_batch(&[0.0, 0.0, 0.5, 0.5, 1.0, 1.0], None, None).unwrap();
    c.close().unwrap();
    let mut c = group.next_column().unwrap().unwrap();
    c.typed::<Int64Type>().write_batch(&[2, 6, 2, 6, 2, 6], None, None).unwrap();
    c.close().unwrap();
    group.close().unwrap();
    w.close().unwrap();
}
