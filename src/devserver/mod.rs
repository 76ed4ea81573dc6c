//! stub
#[derive(clap::Args, Debug)]
pub struct DevServerArgs {}
pub async fn run(_a: DevServerArgs) -> anyhow::Result<()> {
    Ok(())
}
