use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{FnArg, Ident, Pat, ReturnType, Type};

use crate::common::LenientFn;
use crate::params::Names;

/// What is emitted next to a macro error: a stand-in with the same name that mounts anywhere, so the
/// error above is the only one (a `.with(name)` elsewhere does not add "cannot find value").
pub(super) fn stand_in(function: &LenientFn, names: &Names) -> TokenStream {
    let krate = names.krate();
    let name = &function.sig.ident;
    let vis = &function.vis;
    let configs: Vec<(Ident, Type)> = function
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(typed)
                if names.context(&typed.ty).is_none() && names.next(&typed.ty).is_none() =>
            {
                let ident = match &*typed.pat {
                    Pat::Ident(pat) => pat.ident.clone(),
                    _ => return None,
                };
                Some((ident, (*typed.ty).clone()))
            }
            _ => None,
        })
        .collect();
    let impl_ = quote! {
        impl<__BatonP: #krate::KeyList> #krate::Middleware<__BatonP> for #name {
            type Out = __BatonP;
            async fn call<__BatonE: #krate::Endpoint<__BatonP>>(
                &self,
                ctx: #krate::Context<__BatonP>,
                next: #krate::Next<'_, __BatonP, __BatonE>,
            ) -> #krate::Response {
                next.run(ctx).await
            }
        }
    };
    // Mention the signature's types, so the imports they use are not reported unused on top of the error.
    let mentioned = function.sig.inputs.iter().filter_map(|input| match input {
        FnArg::Typed(typed)
            if names.next(&typed.ty).is_none()
                && names
                    .context(&typed.ty)
                    .is_none_or(|(_, segment)| segment.arguments.is_none()) =>
        {
            Some((*typed.ty).clone())
        }
        _ => None,
    });
    let returned = match &function.sig.output {
        ReturnType::Type(_, ty) if !matches!(**ty, Type::ImplTrait(_)) => Some(ty),
        _ => None,
    };
    let returned = returned.into_iter();
    let uses = format_ident!("__baton_types_of_{}", name);
    let impl_ = quote! {
        #impl_
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn #uses(#(_: #mentioned,)* #(_: ::core::marker::PhantomData<#returned>)*) {}
    };
    if configs.is_empty() {
        quote! {
            #[allow(non_camel_case_types, dead_code)]
            #vis struct #name;
            #impl_
        }
    } else {
        let params = configs.iter().map(|(ident, ty)| quote!(#ident: #ty));
        let idents = configs.iter().map(|(ident, _)| ident);
        quote! {
            #[allow(non_camel_case_types, dead_code)]
            #vis struct #name {}
            #[allow(unused_variables, dead_code)]
            #vis fn #name(#(#params),*) -> #name {
                #(let _ = #idents;)*
                #name {}
            }
            #impl_
        }
    }
}
