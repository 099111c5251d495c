/**
 * The widget's own look, inside its shadow root. Themes restyle it with these custom properties
 * (set on the element or any ancestor) and with `::part(...)`; see docs/storefront.md.
 */
export const STYLES = `
:host{display:block;font:var(--backfill-font,inherit);color:var(--backfill-color,inherit);line-height:1.45}
:host([hidden]){display:none}
:host([state=in-stock]){--state:var(--backfill-in-stock-color,#116329)}
:host([state=partial]),:host([state=backorder]){--state:var(--backfill-backorder-color,#7a4e00)}
:host([state=preorder]){--state:var(--backfill-preorder-color,#0550ae)}
:host([state=sold-out]),:host([state=unavailable]){--state:var(--backfill-sold-out-color,#a40e26)}
:host([state=loading]),:host([state=error]){--state:var(--backfill-muted-color,#57606a)}
[part~=container]{display:grid;gap:var(--backfill-gap,.5rem)}
[part~=status]{margin:0}
[part~=headline]{display:inline-flex;align-items:center;gap:.45em;font-weight:600;color:var(--state)}
[part~=headline]::before{content:"";flex:none;width:.6em;height:.6em;border-radius:50%;background:currentColor}
[part~=detail]{display:block}
[part~=message],[part~=intro]{margin:0}
[part~=shipping]{margin:0;padding:.4rem 0 0;list-style:none;border-top:1px solid var(--backfill-divider-color,#d0d7de)}
[part~=form]{display:grid;gap:.35rem;max-width:26rem}
[part~=label]{font-weight:600}
[part~=input]{font:inherit;padding:.45rem .6rem;border:1px solid var(--backfill-border-color,#6e7781);border-radius:var(--backfill-radius,4px);background:var(--backfill-input-background,#fff);color:inherit}
[part~=consent]{display:flex;gap:.5rem;align-items:flex-start}
[part~=consent] input{margin:.3em 0 0;width:1.1em;height:1.1em;flex:none}
[part~=button]{justify-self:start;font:inherit;font-weight:600;padding:.5rem 1.1rem;border:0;border-radius:var(--backfill-radius,4px);background:var(--backfill-accent,#1f2328);color:var(--backfill-accent-text,#fff);cursor:pointer}
[part~=button][disabled]{opacity:.7;cursor:progress}
[part~=input]:focus-visible,[part~=button]:focus-visible,[part~=consent] input:focus-visible{outline:2px solid var(--backfill-accent,#1f2328);outline-offset:2px}
[aria-invalid=true]{border-color:var(--backfill-sold-out-color,#a40e26)}
[part~=feedback]{margin:0}
[part~=feedback]:focus{outline:none}
[part~=feedback]:empty{display:none}
[hidden]{display:none!important}
`;
