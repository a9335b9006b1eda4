//! Finding the keys a function body reads: `ctx.get::<K>()` and `ctx.replace::<K>(value)`.
//!
//! The body is walked with a `syn` visitor when it parses; macro invocations (`format!`, `assert_eq!`, ...)
//! and bodies that do not parse (code being typed, seen by rust-analyzer) are scanned token by token for
//! the same shapes. Nested items (`fn`, `impl`, ...) are skipped: they have their own context.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use syn::visit::Visit;
use syn::{Block, Expr, GenericArgument, Type};

/// How a body uses a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// `ctx.get::<K>()`: needs `P: Has<K>`.
    Read,
    /// `ctx.replace::<K>(value)`: needs `P: Position<K>`.
    Replace,
}

/// The keys a body reads, in order of first appearance, each with the type tokens as written (their
/// spans point at the read).
#[derive(Default, Debug)]
pub struct Reads {
    pub keys: Vec<(Type, Access)>,
}

impl Reads {
    fn add(&mut self, key: Type, access: Access) {
        let text = type_text(&key);
        if !self
            .keys
            .iter()
            .any(|(seen, seen_access)| *seen_access == access && type_text(seen) == text)
        {
            self.keys.push((key, access));
        }
    }
}

/// A type's tokens as a string, for comparing keys written in different places.
pub fn type_text(ty: &Type) -> String {
    ty.to_token_stream().to_string()
}

/// The keys read by a function body given as the tokens of its block, braces included.
pub fn scan_body(body: &TokenStream) -> Reads {
    let mut reads = Reads::default();
    match syn::parse2::<Block>(body.clone()) {
        Ok(block) => reads.visit_block(&block),
        Err(_) => scan_tokens(body.clone(), &mut reads),
    }
    reads
}

impl<'ast> Visit<'ast> for Reads {
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if let Some(turbofish) = &call.turbofish
            && turbofish.args.len() == 1
            && let Some(GenericArgument::Type(key)) = turbofish.args.first()
        {
            if call.method == "get" && call.args.is_empty() {
                self.add(key.clone(), Access::Read);
            } else if call.method == "replace" && call.args.len() == 1 {
                self.add(key.clone(), Access::Replace);
            }
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {
        // A nested item has its own context and its own bounds.
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        scan_tokens(mac.tokens.clone(), self);
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        syn::visit::visit_expr(self, expr);
    }
}

/// Token-level search for `. get :: < K > ( )` and `. replace :: < K > ( .. )`.
fn scan_tokens(tokens: TokenStream, reads: &mut Reads) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut index = 0;
    while index < tokens.len() {
        if let TokenTree::Group(group) = &tokens[index] {
            scan_tokens(group.stream(), reads);
        }
        if let Some((key, access, next)) = match_read(&tokens, index) {
            reads.add(key, access);
            index = next;
            continue;
        }
        index += 1;
    }
}

fn is_punct(token: Option<&TokenTree>, ch: char) -> bool {
    matches!(token, Some(TokenTree::Punct(punct)) if punct.as_char() == ch)
}

/// Matches a read starting at the `.` at `start`; returns the key, the access and the index after it.
fn match_read(tokens: &[TokenTree], start: usize) -> Option<(Type, Access, usize)> {
    if !is_punct(tokens.get(start), '.') {
        return None;
    }
    let access = match tokens.get(start + 1) {
        Some(TokenTree::Ident(ident)) if ident == "get" => Access::Read,
        Some(TokenTree::Ident(ident)) if ident == "replace" => Access::Replace,
        _ => return None,
    };
    if !(is_punct(tokens.get(start + 2), ':')
        && is_punct(tokens.get(start + 3), ':')
        && is_punct(tokens.get(start + 4), '<'))
    {
        return None;
    }
    let mut depth = 1usize;
    let mut end = start + 5;
    while end < tokens.len() {
        match &tokens[end] {
            TokenTree::Punct(punct) if punct.as_char() == '<' => depth += 1,
            TokenTree::Punct(punct) if punct.as_char() == '>' => {
                // `->` inside a type (`fn() -> T`) is not a closing bracket.
                let arrow = end > 0 && is_punct(tokens.get(end - 1), '-');
                if !arrow {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
            }
            _ => {}
        }
        end += 1;
    }
    if depth != 0 {
        return None;
    }
    let key: TokenStream = tokens[start + 5..end].iter().cloned().collect();
    let key: Type = syn::parse2(key).ok()?;
    match tokens.get(end + 1) {
        Some(TokenTree::Group(args)) if args.delimiter() == Delimiter::Parenthesis => {
            let empty = args.stream().is_empty();
            let shape_ok = match access {
                Access::Read => empty,
                Access::Replace => !empty,
            };
            shape_ok.then_some((key, access, end + 2))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn keys(body: TokenStream) -> Vec<(String, Access)> {
        scan_body(&body)
            .keys
            .iter()
            .map(|(ty, access)| (type_text(ty), *access))
            .collect()
    }

    #[test]
    fn finds_reads_in_expressions_closures_and_macros() {
        let found = keys(quote!({
            let user = ctx.get::<User>();
            let f = || ctx.get::<crate::keys::Tenant>().0;
            println!("{} {}", ctx.get::<RequestId>().0, ctx.get::<User>().name);
            let ctx = ctx.replace::<Locale>(Locale("fr"));
            format!("{:?}", user)
        }));
        assert_eq!(
            found,
            vec![
                ("User".to_string(), Access::Read),
                ("crate :: keys :: Tenant".to_string(), Access::Read),
                ("RequestId".to_string(), Access::Read),
                ("Locale".to_string(), Access::Replace),
            ]
        );
    }

    #[test]
    fn ignores_other_gets_and_nested_items() {
        let found = keys(quote!({
            let a = map.get(&1);
            let b = value.get::<&str>("x");
            let c = ctx.try_get::<Session>();
            fn inner(ctx: &Context<(Db, ())>) -> &Pool {
                ctx.get::<Db>()
            }
            a
        }));
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn token_scan_handles_unparsable_bodies_and_generic_keys() {
        let found = keys(quote!({
            let x = ctx.get::<Wrapper<Vec<u8>>>();
            let y = ctx.get::<Callback<fn() -> u8>>();
            let z = ctx.
        }));
        assert_eq!(
            found,
            vec![
                ("Wrapper < Vec < u8 > >".to_string(), Access::Read),
                ("Callback < fn () -> u8 >".to_string(), Access::Read),
            ]
        );
    }
}
