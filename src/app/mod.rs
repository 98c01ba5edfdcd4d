//! The eframe app.
pub fn run_native(_preset: Option<&str>) -> Result<(), String> {
    Ok(())
}
