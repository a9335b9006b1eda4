//! The common handler, `async fn name(ctx: Context) -> T { .. }` with no options but `uses = helper,
//! ..`, expanded at the token level.
//!
//! Most handlers have this shape. The general expansion parses the signature into syn's tree and
//! prints it back, and every token it prints is a call into the compiler: proc macros run unoptimised
//! in a debug build, and on an app of 200 such handlers that was a fifth of what an incremental
//! `cargo check` spends. Here the user's tokens are passed through as they came (their spans with
//! them), only the context's type and the generics are new, and the output crosses into the compiler
//! once.
//!
//! Anything else (other options, generics, a where clause, another parameter, a helper taking
//! `&Context`, a signature that would be an error) is left to the general expansion, so this path never reports an
//! error. Its output is the general expansion's, token for token: the tests below compare the two.

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};

use crate::scan::{Access, is_punct, scan_group};

/// The expansion of a plain handler, or `None` when `item` is not one.
pub fn expand(args: &TokenStream, item: &TokenStream) -> Option<TokenStream> {
    let helpers = helpers(args)?;
    let tokens: Vec<TokenTree> = item.clone().into_iter().collect();
    let shape = Shape::recognise(&tokens)?;
    let reads = scan_group(shape.body, std::slice::from_ref(&shape.binding));

    let mut out: Vec<TokenTree> = Vec::with_capacity(tokens.len() + 16 + 16 * reads.found.len());
    out.extend_from_slice(&tokens[..shape.attrs_end]);
    push_allow(&mut out, &["clippy", "unused_async"]);
    if !helpers.is_empty() {
        // A helper's trait has the helper's visibility, which may be narrower than this fn's.
        push_allow(&mut out, &["private_bounds"]);
    }
    if reads.found.is_empty() && helpers.is_empty() {
        // Reads nothing: it stays plain, so it mounts on every route (see the general expansion).
        out.extend_from_slice(&tokens[shape.attrs_end..]);
        return Some(out.into_iter().collect());
    }

    let name_span = shape.name.span();
    let head = Ident::new("__BatonH", name_span);
    let tail = Ident::new("__BatonT", name_span);
    let list = Group::new(
        Delimiter::Parenthesis,
        [
            TokenTree::Ident(head.clone()),
            punct(',', Spacing::Alone, Span::call_site()),
            TokenTree::Ident(tail.clone()),
        ]
        .into_iter()
        .collect(),
    );

    // `vis async fn name<__BatonH, __BatonT>`
    out.extend_from_slice(&tokens[shape.attrs_end..shape.args]);
    out.push(punct('<', Spacing::Alone, Span::call_site()));
    out.push(TokenTree::Ident(head));
    out.push(punct(',', Spacing::Alone, Span::call_site()));
    out.push(TokenTree::Ident(tail));
    out.push(punct('>', Spacing::Alone, Span::call_site()));

    // `([mut] ctx: Context<(__BatonH, __BatonT)>)`
    let context = shape.context.span();
    let mut params = shape.params;
    params.insert(shape.context_index + 1, punct('<', Spacing::Alone, context));
    params.insert(shape.context_index + 2, TokenTree::Group(list.clone()));
    params.insert(shape.context_index + 3, punct('>', Spacing::Alone, context));
    let mut params = Group::new(Delimiter::Parenthesis, params.into_iter().collect());
    params.set_span(tokens[shape.args].span());
    out.push(TokenTree::Group(params));

    // `-> T where (__BatonH, __BatonT): ::baton::KeyList + ::baton::Has<K> + ..`
    out.extend_from_slice(&tokens[shape.args + 1..tokens.len() - 1]);
    out.push(TokenTree::Ident(Ident::new("where", Span::call_site())));
    out.push(TokenTree::Group(list.clone()));
    out.push(punct(':', Spacing::Alone, Span::call_site()));
    push_facade_path(&mut out, "KeyList", Span::call_site());
    for read in reads.found {
        let span = read.span;
        out.push(punct('+', Spacing::Alone, span));
        let bound = match read.access {
            Access::Read => "Has",
            Access::Replace => "Position",
        };
        push_facade_path(&mut out, bound, span);
        out.push(punct('<', Spacing::Alone, span));
        out.extend(read.tokens);
        out.push(punct('>', Spacing::Alone, span));
    }
    for helper in helpers {
        out.push(punct('+', Spacing::Alone, helper[0].span()));
        out.extend(helper);
    }
    out.push(tokens[tokens.len() - 1].clone());
    Some(out.into_iter().collect())
}

/// The helpers of `uses = a, views::b` as their paths' tokens (none for empty options), or `None` for
/// any other options, or ones the general expansion would refuse.
fn helpers(args: &TokenStream) -> Option<Vec<Vec<TokenTree>>> {
    let args: Vec<TokenTree> = args.clone().into_iter().collect();
    let [
        TokenTree::Ident(option),
        TokenTree::Punct(equals),
        list @ ..,
    ] = args.as_slice()
    else {
        return args.is_empty().then(Vec::new);
    };
    if option != "uses" || equals.as_char() != '=' || list.is_empty() {
        return None;
    }
    let mut helpers: Vec<Vec<TokenTree>> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for path in list.split(|token| is_punct(Some(token), ',')) {
        // `a`, `views::b`, `::x::y`: identifiers joined by `::` (the last one names the helper).
        let well_formed = path.chunks(3).all(|step| match step {
            [TokenTree::Ident(_)] => true,
            [
                TokenTree::Ident(_),
                TokenTree::Punct(first),
                TokenTree::Punct(second),
            ] => {
                first.as_char() == ':'
                    && first.spacing() == Spacing::Joint
                    && second.as_char() == ':'
            }
            _ => false,
        });
        let Some(TokenTree::Ident(name)) = path.last() else {
            return None;
        };
        // A trailing comma leaves an empty path, which `last` refused; a leading `::` is left to the
        // general expansion too.
        let name = name.to_string();
        if !well_formed || names.contains(&name) {
            return None;
        }
        names.push(name);
        helpers.push(path.to_vec());
    }
    Some(helpers)
}

/// Where the parts of a plain handler are in its tokens.
struct Shape<'a> {
    /// The index after the outer attributes.
    attrs_end: usize,
    name: &'a Ident,
    /// The index of the parameter list's group.
    args: usize,
    /// The parameter list's tokens: `[mut] ctx : Context [,]`.
    params: Vec<TokenTree>,
    /// The index of `Context` in `params`.
    context_index: usize,
    context: Ident,
    /// The parameter's name: only calls on it are reads.
    binding: Ident,
    body: &'a Group,
}

impl<'a> Shape<'a> {
    fn recognise(tokens: &'a [TokenTree]) -> Option<Shape<'a>> {
        let mut at = 0;
        while is_punct(tokens.get(at), '#')
            && matches!(tokens.get(at + 1), Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Bracket)
        {
            at += 2;
        }
        let attrs_end = at;
        if is_ident(tokens.get(at), "pub") {
            at += 1;
            if matches!(tokens.get(at), Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis)
            {
                at += 1;
            }
        }
        if !(is_ident(tokens.get(at), "async") && is_ident(tokens.get(at + 1), "fn")) {
            return None;
        }
        let Some(TokenTree::Ident(name)) = tokens.get(at + 2) else {
            return None;
        };
        let args = at + 3;
        let Some(TokenTree::Group(args_group)) = tokens.get(args) else {
            return None;
        };
        if args_group.delimiter() != Delimiter::Parenthesis {
            return None;
        }
        let Some((TokenTree::Group(body), between)) = tokens[args + 1..].split_last() else {
            return None;
        };
        if body.delimiter() != Delimiter::Brace {
            return None;
        }
        // Nothing, or `-> T` with no where clause.
        if let [first, second, rest @ ..] = between {
            let arrow = matches!(first, TokenTree::Punct(p) if p.as_char() == '-' && p.spacing() == Spacing::Joint)
                && is_punct(Some(second), '>');
            if !arrow || rest.is_empty() || rest.iter().any(|token| is_ident(Some(token), "where"))
            {
                return None;
            }
        } else if !between.is_empty() {
            return None;
        }

        let params: Vec<TokenTree> = args_group.stream().into_iter().collect();
        let binding_at = usize::from(is_ident(params.first(), "mut"));
        let (Some(TokenTree::Ident(binding)), true, Some(TokenTree::Ident(context))) = (
            params.get(binding_at),
            is_punct(params.get(binding_at + 1), ':'),
            params.get(binding_at + 2),
        ) else {
            return None;
        };
        let context_index = binding_at + 2;
        let trailing = &params[context_index + 1..];
        let lone_colon =
            matches!(&params[binding_at + 1], TokenTree::Punct(p) if p.spacing() == Spacing::Alone);
        if context != "Context"
            || binding == "_"
            || binding == "self"
            || !lone_colon
            || !(trailing.is_empty() || (trailing.len() == 1 && is_punct(trailing.first(), ',')))
        {
            return None;
        }
        let (context, binding) = (context.clone(), binding.clone());
        Some(Shape {
            attrs_end,
            name,
            args,
            context_index,
            context,
            binding,
            params,
            body,
        })
    }
}

fn is_ident(token: Option<&TokenTree>, name: &str) -> bool {
    matches!(token, Some(TokenTree::Ident(ident)) if ident == name)
}

fn punct(ch: char, spacing: Spacing, span: Span) -> TokenTree {
    let mut punct = Punct::new(ch, spacing);
    punct.set_span(span);
    TokenTree::Punct(punct)
}

/// `::baton::name`, every token at `span` (as the general expansion's `quote_spanned!`).
fn push_facade_path(out: &mut Vec<TokenTree>, name: &str, span: Span) {
    out.push(punct(':', Spacing::Joint, span));
    out.push(punct(':', Spacing::Alone, span));
    out.push(TokenTree::Ident(Ident::new("baton", span)));
    out.push(punct(':', Spacing::Joint, span));
    out.push(punct(':', Spacing::Alone, span));
    out.push(TokenTree::Ident(Ident::new(name, span)));
}

/// `#[allow(lint)]`, the lint given as its path's segments: `["clippy", "unused_async"]`.
fn push_allow(out: &mut Vec<TokenTree>, lint: &[&str]) {
    let span = Span::call_site();
    let mut path = Vec::with_capacity(3 * lint.len());
    for (index, segment) in lint.iter().enumerate() {
        if index > 0 {
            path.push(punct(':', Spacing::Joint, span));
            path.push(punct(':', Spacing::Alone, span));
        }
        path.push(TokenTree::Ident(Ident::new(segment, span)));
    }
    let attribute: TokenStream = [
        TokenTree::Ident(Ident::new("allow", span)),
        TokenTree::Group(Group::new(
            Delimiter::Parenthesis,
            path.into_iter().collect(),
        )),
    ]
    .into_iter()
    .collect();
    out.push(punct('#', Spacing::Alone, span));
    out.push(TokenTree::Group(Group::new(Delimiter::Bracket, attribute)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// The plain expansion of `item`, checked against the general one token for token.
    fn same_as_general(item: TokenStream) -> String {
        same_as_general_with(TokenStream::new(), item)
    }

    fn same_as_general_with(args: TokenStream, item: TokenStream) -> String {
        let plain = expand(&args, &item)
            .unwrap_or_else(|| panic!("not recognised as plain: {args} {item}"))
            .to_string();
        let general = super::super::general(args, item).to_string();
        assert_eq!(plain, general);
        plain
    }

    #[test]
    fn handlers_using_helpers_expand_as_the_general_expansion_does() {
        let text = same_as_general_with(
            quote!(uses = frame, views::header),
            quote!(
                async fn page(ctx: Context) -> String {
                    format!("{} {}", frame(&ctx), ctx.get::<User>().0)
                }
            ),
        );
        assert!(text.contains("# [allow (private_bounds)]"), "{text}");
        assert!(
            text.contains("+ :: baton :: Has < User > + frame + views :: header {"),
            "{text}"
        );
        // Bounds from the helpers alone make the handler generic too.
        same_as_general_with(
            quote!(uses = frame),
            quote!(
                async fn page(ctx: Context) -> String {
                    frame(&ctx)
                }
            ),
        );
    }

    #[test]
    fn plain_handlers_expand_as_the_general_expansion_does() {
        let text = same_as_general(quote!(
            /// Shows the user.
            #[tracing::instrument(skip(ctx))]
            pub(crate) async fn show(mut ctx: Context) -> impl IntoResponse {
                let ctx = ctx.replace::<Locale>(Locale("fr"));
                format!(
                    "{} {}",
                    ctx.get::<User>().0,
                    ctx.get::<crate::keys::Tenant<u8>>().0
                )
            }
        ));
        assert!(
            text.contains("where (__BatonH , __BatonT) : :: baton :: KeyList"),
            "{text}"
        );
        assert!(text.contains(":: baton :: Position < Locale >"), "{text}");
        same_as_general(quote!(
            async fn show(ctx: Context) -> String {
                ctx.get::<User>().0.clone()
            }
        ));
        same_as_general(quote!(
            pub async fn unit(ctx: Context) {
                let _ = (ctx).get::<User>();
            }
        ));
        same_as_general(quote!(
            async fn reads_nothing(ctx: Context) -> &'static str {
                "ok"
            }
        ));
        same_as_general(quote!(
            async fn other_gets(ctx: Context) -> String {
                let _ = ctx.extensions().get::<Peer>();
                fn nested(ctx: &Context<(User, ())>) -> String {
                    ctx.get::<User>().0.clone()
                }
                String::new()
            }
        ));
    }

    #[test]
    fn other_shapes_are_left_to_the_general_expansion() {
        let none = |args: TokenStream, item: TokenStream| {
            assert!(expand(&args, &item).is_none(), "{item}");
        };
        none(
            quote!(requires = User),
            quote!(
                async fn a(ctx: Context) {}
            ),
        );
        none(
            quote!(),
            quote!(
                fn a(ctx: Context) {}
            ),
        );
        none(
            quote!(),
            quote!(
                fn helper(ctx: &Context) -> String {
                    ctx.get::<User>().0
                }
            ),
        );
        none(
            quote!(),
            quote!(
                async fn a<P>(ctx: Context<P>) {}
            ),
        );
        none(
            quote!(),
            quote!(
                async fn a(ctx: Context<(User, ())>) {}
            ),
        );
        none(
            quote!(),
            quote!(
                async fn a(ctx: baton::Context) {}
            ),
        );
        none(
            quote!(),
            quote!(
                async fn a(ctx: Context, id: u64) {}
            ),
        );
        none(
            quote!(),
            quote!(
                async fn a(_: Context) {}
            ),
        );
        none(
            quote!(),
            quote!(
                async fn a((ctx): Context) {}
            ),
        );
        none(
            quote!(),
            quote!(
                async fn a(ctx: Context) -> T
                where
                    T: Send,
                {
                }
            ),
        );
        none(quote!(), quote!(async fn a(ctx: Context) -> {}));
        none(
            quote!(),
            quote!(
                const async fn a(ctx: Context) {}
            ),
        );
        none(
            quote!(),
            quote!(
                async unsafe fn a(ctx: Context) {}
            ),
        );
        none(
            quote!(),
            quote!(
                async fn a(ctx: Context);
            ),
        );
        none(
            quote!(),
            quote!(
                struct NotAFn;
            ),
        );
    }
}
