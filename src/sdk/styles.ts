/**
 * The messages' stylesheet, scoped by the shadow root it is placed in. Theming goes through CSS
 * custom properties, which do cross the shadow boundary (src/sdk/README.md lists them); nothing else
 * of the host page's CSS reaches in, and `:host { all: initial !important }` undoes what reaches the
 * host element itself (an `!important` declaration inside a shadow tree beats one outside it).
 * Sides are logical (inline-start/end), so a message with dir=rtl mirrors without rules of its own.
 */

const LIGHT =
  '--a:var(--gp-accent,#4f46e5);--at:var(--gp-accent-text,#fff);--bg:var(--gp-bg,#fff);--tx:var(--gp-text,#18181b);' +
  '--mu:var(--gp-muted,#52525b);--bd:var(--gp-border,#e4e4e7);--sf:var(--gp-surface,#f4f4f5);--lk:var(--gp-link,var(--gp-accent,#4338ca));' +
  '--ring:var(--gp-focus,var(--gp-accent,#4f46e5));--bk:var(--gp-backdrop,rgba(24,24,27,.45))';
const DARK =
  '--bg:var(--gp-bg,#1c1c21);--tx:var(--gp-text,#f4f4f5);--mu:var(--gp-muted,#a1a1aa);--bd:var(--gp-border,#3f3f46);' +
  '--sf:var(--gp-surface,#27272a);--lk:var(--gp-link,var(--gp-accent,#a5b4fc));--ring:var(--gp-focus,var(--gp-accent,#818cf8));' +
  '--bk:var(--gp-backdrop,rgba(0,0,0,.6))';

export const CSS = `:host{all:initial!important;display:block!important}
.gp-wrap{${LIGHT};--r:var(--gp-radius,14px);--f:var(--gp-font,system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif);position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;justify-content:center;padding:16px;box-sizing:border-box;background:var(--bk);font:400 15px/1.55 var(--f);color:var(--tx);text-align:start;-webkit-font-smoothing:antialiased;color-scheme:light}
.gp-wrap[data-theme=dark]{${DARK};color-scheme:dark}
@media (prefers-color-scheme:dark){.gp-wrap:not([data-theme=light]){${DARK};color-scheme:dark}}
.gp-inline{position:absolute}
.gp-wrap *{box-sizing:border-box}
.gp-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
.gp-dialog{position:relative;width:100%;max-width:440px;max-height:100%;overflow:auto;padding:28px;background:var(--bg);color:var(--tx);border-radius:var(--r);box-shadow:0 0 0 1px var(--bd),0 24px 60px -12px rgba(0,0,0,.4)}
.gp-nps{max-width:560px}
.gp-img{display:block;width:calc(100% + 56px);max-height:200px;margin:-28px -28px 24px;object-fit:cover;border-radius:var(--r) var(--r) 0 0}
.gp-title{margin:0 0 8px;margin-inline-end:36px;font:650 20px/1.3 var(--f);letter-spacing:-.01em;color:var(--tx)}
.gp-body{color:var(--mu)}
.gp-body p,.gp-body ul{margin:0 0 12px}
.gp-body>:last-child{margin-bottom:0}
.gp-body ul{padding-inline-start:22px}
.gp-body li{margin:4px 0}
.gp-body strong{color:var(--tx);font-weight:600}
.gp-body code{padding:1px 5px;border-radius:5px;background:var(--sf);color:var(--tx);font:.88em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.gp-body a{color:var(--lk);text-decoration:underline;text-underline-offset:2px}
.gp-actions{display:flex;flex-wrap:wrap-reverse;justify-content:flex-end;gap:8px;margin-top:24px}
.gp-btn{display:inline-flex;align-items:center;justify-content:center;min-height:40px;padding:9px 18px;border:1px solid var(--bd);border-radius:calc(var(--r) - 4px);background:none;color:var(--tx);font:600 14px/20px var(--f);text-decoration:none;cursor:pointer}
.gp-btn:hover,.gp-x:hover{background:var(--sf)}
.gp-primary{border-color:var(--a);background:var(--a);color:var(--at)}
.gp-primary:hover{background:var(--a);filter:brightness(1.1)}
.gp-x{position:absolute;top:14px;inset-inline-end:14px;width:32px;height:32px;padding:0;border:0;border-radius:8px;background:none;color:var(--mu);font:400 24px/32px var(--f);cursor:pointer}
.gp-wrap :focus-visible{outline:2px solid var(--ring);outline-offset:2px}
.gp-wrap .gp-dialog:focus{outline:none}
.gp-img~.gp-title{margin-inline-end:0}
.gp-img~.gp-x{background:rgba(255,255,255,.9);color:#18181b}
.gp-scale{display:grid;grid-template-columns:repeat(11,1fr);gap:6px;margin:20px 0 8px}
.gp-scale button{height:44px;padding:0;border:1px solid var(--bd);border-radius:8px;background:var(--bg);color:var(--tx);font:600 15px var(--f);cursor:pointer}
.gp-scale button:hover{border-color:var(--a)}
.gp-scale [aria-checked=true]{border-color:var(--a);background:var(--a);color:var(--at)}
.gp-ends{display:flex;justify-content:space-between;gap:16px;color:var(--mu);font-size:13px}
.gp-follow{display:block;margin-top:24px;font-weight:600}
.gp-follow textarea{display:block;width:100%;min-height:88px;margin-top:8px;padding:10px 12px;border:1px solid var(--bd);border-radius:8px;background:var(--bg);color:var(--tx);font:400 15px/1.5 var(--f);resize:vertical}
.gp-follow textarea:focus-visible{outline-offset:0;border-color:var(--ring)}
.gp-done{text-align:center}
.gp-done .gp-title{margin:12px 0 0}
.gp-check{display:inline-grid;place-items:center;width:44px;height:44px;border-radius:50%;background:var(--a);color:var(--at);font-size:22px}
@media (max-width:480px){.gp-dialog{padding:20px}.gp-img{width:calc(100% + 40px);margin:-20px -20px 20px}.gp-scale{grid-template-columns:repeat(6,1fr)}}
@media (forced-colors:active){.gp-scale [aria-checked=true]{outline:3px solid Highlight}}
@media (prefers-reduced-motion:no-preference){.gp-wrap{animation:gp-in .2s ease-out}.gp-dialog{animation:gp-up .25s cubic-bezier(.2,.8,.2,1)}}
@keyframes gp-in{from{opacity:0}}
@keyframes gp-up{from{opacity:0;transform:translateY(10px) scale(.98)}}`;
