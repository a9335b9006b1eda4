//! Finding the keys a function body reads: `ctx.get::<K>()` and `ctx.replace::<K>(value)`, where `ctx`
//! is the name of the context parameter (also `Context::get::<K>(&ctx)`). A `get::<T>()` on anything
//! else (`ctx.extensions().get::<T>()`, `map.get::<T>()`) is not a read of the context.
//!
//! The body is scanned token by token, macro invocations (`format!`, `json!`, ...) included, and bodies
//! that do not parse (code being typed, seen by rust-analyzer) too. Nested items (`fn`, `impl`, `trait`,
//! `mod`) are skipped: they have their own context. It is not parsed into a `syn::Block` and walked:
//! proc macros run unoptimised in a debug build, where parsing every handler's body was the largest
//! part of `#[handler]`'s expansion time, itself the largest part of what an app's `cargo check` spends
//! beyond axum's.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use syn::{Ident, Type};

/// How a body uses a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// `ctx.get::<K>()`: needs `P: Has<K>`.
    Read,
    /// `ctx.replace::<K>(value)`: needs `P: Position<K>`.
    Replace,
}

/// One key a body reads or replaces.
#[derive(Debug)]
pub struct Read {
    /// The key's type as written (its spans point at the read).
    pub tokens: Vec<TokenTree>,
    pub access: Access,
    /// The key's [`type_text`], computed once: turning tokens into text is a call into the compiler.
    pub text: String,
    /// The span of the key's first token.
    pub span: proc_macro2::Span,
}

impl Read {
    /// The key's type, kept as written rather than parsed: the bound it becomes is checked by rustc,
    /// and a parse per read was half of a body's scan. `key_name` parses it where a path is compared.
    pub fn key(&self) -> Type {
        Type::Verbatim(self.tokens.iter().cloned().collect())
    }
}

/// The keys a body reads, in order of first appearance.
#[derive(Default, Debug)]
pub struct Reads {
    pub found: Vec<Read>,
    /// The context parameter's names: only calls on these are reads.
    contexts: Vec<Ident>,
}

impl Reads {
    /// Records the read of the key written as `tokens` (never empty), unless it was seen already.
    fn add(&mut self, tokens: &[TokenTree], access: Access) {
        // One identifier, the usual key, is its own text: no call into the compiler.
        let text = match tokens {
            [TokenTree::Ident(ident)] => ident.to_string(),
            _ => tokens.iter().cloned().collect::<TokenStream>().to_string(),
        };
        let seen = self
            .found
            .iter()
            .any(|read| read.access == access && read.text == text);
        if !seen {
            self.found.push(Read {
                tokens: tokens.to_vec(),
                access,
                text,
                span: tokens[0].span(),
            });
        }
    }
}

/// A type's tokens as a string, for comparing keys written in different places.
pub fn type_text(ty: &Type) -> String {
    ty.to_token_stream().to_string()
}

/// A type as a user would write it (`crate::User`, not `crate :: User`), for messages.
pub fn type_display(ty: &Type) -> String {
    type_text(ty)
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" <", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("& ", "&")
}

/// A key's identity for comparing keys written in different places: the last path segment with its
/// generic arguments, so `keys::User` and `User` are the same key (`provides = keys::User` with a read
/// of `User`). Two distinct key types with the same name in one middleware's options would be taken
/// for one; that costs at worst an error at the read, never a wrong proof.
pub fn key_name(ty: &Type) -> String {
    match ty {
        Type::Path(path) if path.qself.is_none() => match path.path.segments.last() {
            Some(last) => last.to_token_stream().to_string(),
            None => type_text(ty),
        },
        Type::Paren(paren) => key_name(&paren.elem),
        Type::Group(group) => key_name(&group.elem),
        Type::Verbatim(tokens) => match syn::parse2::<Type>(tokens.clone()) {
            Ok(parsed) if !matches!(parsed, Type::Verbatim(_)) => key_name(&parsed),
            _ => type_text(ty),
        },
        _ => type_text(ty),
    }
}

/// The keys read by a function body given as the tokens of its block, braces included, where the
/// context parameter is named one of `contexts`.
pub fn scan_body(body: &TokenStream, contexts: &[Ident]) -> Reads {
    scan_stream(body.clone(), contexts)
}

/// [`scan_body`] of a body given as its braced group.
pub fn scan_group(body: &proc_macro2::Group, contexts: &[Ident]) -> Reads {
    scan_stream(body.stream(), contexts)
}

fn scan_stream(tokens: TokenStream, contexts: &[Ident]) -> Reads {
    let mut reads = Reads {
        contexts: contexts.to_vec(),
        ..Reads::default()
    };
    scan_tokens(tokens, &mut reads);
    reads
}

/// Whether an identifier token opens a nested item, whose body has its own context: `fn name`,
/// `impl ..`, `trait ..`, `mod ..` (`fn(u8) -> u8`, a function pointer type, does not).
fn opens_item(name: &str, next: Option<&TokenTree>) -> bool {
    match name {
        "fn" => matches!(next, Some(TokenTree::Ident(_))),
        "impl" | "trait" | "mod" => true,
        _ => false,
    }
}

/// Token-level search for `ctx . get :: < K > ( )`, `ctx . replace :: < K > ( .. )` and their
/// `Context :: get :: < K > ( & ctx )` spellings.
fn scan_tokens(tokens: TokenStream, reads: &mut Reads) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut index = 0;
    while index < tokens.len() {
        match &tokens[index] {
            TokenTree::Group(group) => scan_tokens(group.stream(), reads),
            TokenTree::Ident(ident) => {
                // One `to_string` an identifier: each is a call into the compiler in a real expansion.
                let name = ident.to_string();
                if opens_item(&name, tokens.get(index + 1)) {
                    // Skip to the end of the item's body, the first `{ .. }` at this level.
                    index += 1;
                    while index < tokens.len()
                        && !matches!(&tokens[index], TokenTree::Group(group) if group.delimiter() == Delimiter::Brace)
                    {
                        index += 1;
                    }
                    index += 1;
                    continue;
                }
                let access = match name.as_str() {
                    "get" => Some(Access::Read),
                    "replace" => Some(Access::Replace),
                    _ => None,
                };
                if let Some(access) = access
                    && let Some((key, next)) = match_read(&tokens, index, access, &reads.contexts)
                {
                    reads.add(&tokens[key], access);
                    index = next;
                    continue;
                }
            }
            _ => {}
        }
        index += 1;
    }
}

pub fn is_punct(token: Option<&TokenTree>, ch: char) -> bool {
    matches!(token, Some(TokenTree::Punct(punct)) if punct.as_char() == ch)
}

fn is_context_ident(token: Option<&TokenTree>, contexts: &[Ident]) -> bool {
    matches!(token, Some(TokenTree::Ident(ident)) if contexts.contains(ident))
}

/// `tokens` after a leading `&`, `*` or `mut` (`&mut ctx` is `ctx`).
fn without_borrows(tokens: &[TokenTree]) -> &[TokenTree] {
    let borrows = tokens
        .iter()
        .take_while(|token| {
            is_punct(Some(token), '&')
                || is_punct(Some(token), '*')
                || matches!(token, TokenTree::Ident(ident) if ident == "mut")
        })
        .count();
    &tokens[borrows..]
}

/// Whether a method call's receiver is the context: `ctx`, or `(ctx)`, `(&ctx)`, `(*ctx)`.
fn is_context_receiver(token: Option<&TokenTree>, contexts: &[Ident]) -> bool {
    match token {
        Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis => {
            let inner: Vec<TokenTree> = group.stream().into_iter().collect();
            match without_borrows(&inner) {
                [only] => is_context_receiver(Some(only), contexts),
                _ => false,
            }
        }
        Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::None => {
            let inner: Vec<TokenTree> = group.stream().into_iter().collect();
            inner.len() == 1 && is_context_receiver(inner.first(), contexts)
        }
        other => is_context_ident(other, contexts),
    }
}

/// How the call found at a `get`/`replace` names its receiver.
enum Receiver {
    /// `ctx.get::<K>()`: the arguments are the call's own.
    Method,
    /// `Context::get::<K>(&ctx)`: the first argument is the context.
    Path,
}

/// Matches a read whose method name is at `at`; returns where the key's tokens are and the index
/// after the call.
fn match_read(
    tokens: &[TokenTree],
    at: usize,
    access: Access,
    contexts: &[Ident],
) -> Option<(std::ops::Range<usize>, usize)> {
    let before = |back: usize| at.checked_sub(back).and_then(|index| tokens.get(index));
    let receiver = if is_punct(before(1), '.') && is_context_receiver(before(2), contexts) {
        // `self.ctx.get` or `x.ctx.get` is a field, not the parameter.
        let path = is_punct(before(3), ':') && is_punct(before(4), ':');
        if is_punct(before(3), '.') || path {
            return None;
        }
        Receiver::Method
    } else if is_punct(before(1), ':') && is_punct(before(2), ':') {
        Receiver::Path
    } else {
        return None;
    };
    if !(is_punct(tokens.get(at + 1), ':')
        && is_punct(tokens.get(at + 2), ':')
        && is_punct(tokens.get(at + 3), '<'))
    {
        return None;
    }
    let mut depth = 1usize;
    let mut end = at + 4;
    while end < tokens.len() {
        match &tokens[end] {
            TokenTree::Punct(punct) if punct.as_char() == '<' => depth += 1,
            TokenTree::Punct(punct) if punct.as_char() == '>' => {
                // `->` inside a type (`fn() -> T`) is not a closing bracket.
                let arrow = is_punct(tokens.get(end - 1), '-');
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
    if end == at + 4 {
        return None; // `get::<>()`
    }
    let key = at + 4..end;
    let Some(TokenTree::Group(args)) = tokens.get(end + 1) else {
        return None;
    };
    if args.delimiter() != Delimiter::Parenthesis {
        return None;
    }
    let mut args = split_args(args.stream());
    if let Receiver::Path = receiver {
        let first = args.first()?;
        if !matches!(without_borrows(first), [only] if is_context_ident(Some(only), contexts)) {
            return None;
        }
        args.remove(0);
    }
    let shape_ok = match access {
        Access::Read => args.is_empty(),
        Access::Replace => args.len() == 1,
    };
    shape_ok.then_some((key, end + 2))
}

/// A call's arguments, split at the top-level commas.
fn split_args(stream: TokenStream) -> Vec<Vec<TokenTree>> {
    let mut args = vec![Vec::new()];
    for token in stream {
        if is_punct(Some(&token), ',') {
            args.push(Vec::new());
        } else {
            args.last_mut().expect("never empty").push(token);
        }
    }
    if args.last().is_some_and(Vec::is_empty) {
        args.pop();
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn keys(body: TokenStream) -> Vec<(String, Access)> {
        let ctx: Ident = syn::parse_quote!(ctx);
        scan_body(&body, &[ctx])
            .found
            .iter()
            .map(|read| {
                // The text computed without the compiler is the text of the key's tokens.
                assert_eq!(read.text, type_text(&read.key()));
                (read.text.clone(), read.access)
            })
            .collect()
    }

    #[test]
    fn finds_reads_in_expressions_closures_and_macros() {
        let found = keys(quote!({
            let user = ctx.get::<User>();
            let f = || ctx.get::<crate::keys::Tenant>().0;
            println!("{} {}", ctx.get::<RequestId>().0, ctx.get::<User>().name);
            json!({ "user": ctx.get::<User>().0, "trace": ctx.get::<Trace>().0 });
            let ctx = ctx.replace::<Locale>(Locale("fr"));
            format!("{:?}", user)
        }));
        assert_eq!(
            found,
            vec![
                ("User".to_string(), Access::Read),
                ("crate :: keys :: Tenant".to_string(), Access::Read),
                ("RequestId".to_string(), Access::Read),
                ("Trace".to_string(), Access::Read),
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
            let d = ctx.extensions().get::<Peer>();
            let e = other.get::<Tenant>();
            let f = map.get::<Tenant>();
            let g = self.ctx.get::<Tenant>();
            println!("{:?}", ctx.extensions().get::<Peer>());
            println!("{:?} {:?}", other.get::<Tenant>(), self.ctx.get::<Tenant>());
            println!("{:?}", state::ctx.get::<Tenant>());
            fn inner(ctx: &Context<(Db, ())>) -> &Pool {
                ctx.get::<Db>()
            }
            a
        }));
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn finds_reads_on_a_parenthesised_context_and_after_a_fn_pointer_type() {
        let found = keys(quote!({
            let a = (ctx).get::<User>();
            let b = (&ctx).get::<Tenant>();
            let callback: fn(u8) -> u8 = identity;
            if ready {
                ctx.get::<RequestId>()
            } else {
                ctx.get::<Trace>()
            }
        }));
        assert_eq!(
            found,
            vec![
                ("User".to_string(), Access::Read),
                ("Tenant".to_string(), Access::Read),
                ("RequestId".to_string(), Access::Read),
                ("Trace".to_string(), Access::Read),
            ]
        );
    }

    #[test]
    fn finds_path_calls_on_the_context_only() {
        let found = keys(quote!({
            let a = Context::get::<User>(&ctx);
            let b = baton::Context::replace::<Locale>(ctx, Locale("fr"));
            let c = Context::get::<Tenant>(&other);
            println!("{:?}", Context::get::<RequestId>(&ctx));
            println!("{:?}", Context::get::<Peer>(&other));
        }));
        assert_eq!(
            found,
            vec![
                ("User".to_string(), Access::Read),
                ("Locale".to_string(), Access::Replace),
                ("RequestId".to_string(), Access::Read),
            ]
        );
    }

    #[test]
    fn compares_keys_by_name_and_arguments() {
        let name = |ty: Type| key_name(&ty);
        assert_eq!(
            name(syn::parse_quote!(keys::User)),
            name(syn::parse_quote!(User))
        );
        assert_eq!(
            name(syn::parse_quote!(crate::Flash<Notice>)),
            name(syn::parse_quote!(Flash<Notice>))
        );
        assert_ne!(
            name(syn::parse_quote!(Flash<Notice>)),
            name(syn::parse_quote!(Flash<Alert>))
        );
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
                ("Wrapper < Vec < u8 >>".to_string(), Access::Read),
                ("Callback < fn () -> u8 >".to_string(), Access::Read),
            ]
        );
    }
}
