//! A PDF with citations enabled: the answer streams with `citations_delta`s, and the final
//! message holds each text block's citations (page ranges for a PDF).
//!
//! ```text
//! cargo run --example pdf_citations
//! ```
//!
//! Calls the real API with `ANTHROPIC_API_KEY` set, the built-in mock server otherwise (it
//! quotes the PDF's first line and cites page 1).

mod common;

use chat_anthropic::{
    messages::Citation, messages::DocumentBlock, ContentBlock, HumanMessage, StreamUpdate,
};
use chat_anthropic_mock::default_reply;
use common::real_or_mock;
use futures_util::StreamExt;

/// A one-page PDF with one line of text, built by hand (uncompressed, so it stays readable).
fn one_page_pdf(line: &str) -> Vec<u8> {
    let content = format!("BT /F1 18 Tf 72 720 Td ({line}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    pdf
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (llm, _server) = real_or_mock("claude-sonnet-4-6", default_reply).await;
    let report = DocumentBlock::pdf_bytes(&one_page_pdf("Revenue grew 12% in the third quarter."))
        .title("Q3 report")
        .citations(true);
    let message = HumanMessage::new(vec![
        report.into(),
        ContentBlock::text("How did revenue change? Cite the report."),
    ]);

    let mut updates = llm.stream(message).await?.updates();
    while let Some(update) = updates.next().await {
        match update? {
            StreamUpdate::Text { text, .. } => print!("{text}"),
            StreamUpdate::Citation { citation, .. } => {
                print!("[cites: {:?}] ", citation.cited_text().unwrap_or_default())
            }
            StreamUpdate::BlockStopped { .. } => println!(),
            _ => {}
        }
    }
    println!();
    for block in updates.aggregator().partial_message().content.into_blocks() {
        if let ContentBlock::Text(text) = block {
            for citation in text.citations.unwrap_or_default() {
                if let Citation::PageLocation {
                    cited_text,
                    start_page_number,
                    end_page_number,
                    document_title,
                    ..
                } = citation
                {
                    println!(
                        "{:?}, pages {start_page_number}..{end_page_number}: {cited_text:?}",
                        document_title.unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(())
}
