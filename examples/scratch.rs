use newsvault::{config::SitesConfig, extract, sites};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let html = std::fs::read_to_string(&args[1]).unwrap();
    let target = sites::resolve(&args[2], &SitesConfig::default()).unwrap();
    let out = extract::extract(&html, &target, &target.fetch_url);
    match out {
        extract::Extraction::Article(a) => { println!("TITLE {}\nDATE {}\nAUTHOR {:?}\nCOVER {:?}\n{}\n---plain {}", a.title, a.published, a.author, a.cover, a.body.markdown, a.body.plain_text.chars().take(60).collect::<String>()); }
        other => println!("{other:?}"),
    }
}
