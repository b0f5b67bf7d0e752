/* mkdocs-material 9.8.2's partials/javascripts/base.html as a file (the static pages' policy allows
   no inline script): the storage helpers the theme's other scripts use. One change, checked by
   tests/test_theme_markup.py: the scope (the site's root), which the theme wrote into the inline
   script, is read from the data-md-scope attribute of this script's tag. Loaded synchronously in
   <head>, so document.currentScript is this tag. */
__md_scope=new URL(document.currentScript.getAttribute("data-md-scope"),location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),__md_set=(e,_,t=localStorage,a=__md_scope)=>{try{t.setItem(a.pathname+"."+e,JSON.stringify(_))}catch(e){}}
