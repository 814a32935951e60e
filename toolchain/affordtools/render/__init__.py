"""The procedural training-data engine: parametric objects with exact part labels, rendered
under randomised materials, lights, cameras, backgrounds and distractors.

Renderer: Mitsuba 3's LLVM variant (pip `mitsuba`, pinned to 3.5.2; the LLVM it JITs
with is Debian's libllvm15). A path tracer gives soft shadows, inter-reflection and
glossy metal, the cues a frozen DINOv2 sees in real photos, at about a second of two
cores per 224x224 frame at 32 spp. A numpy rasteriser would be ~20x cheaper but flat
(no shadows or reflections); pyrender needs OSMesa and an old PyOpenGL and gives
rasterised shading too. Mitsuba 3.6+ (drjit 1.x) emits LLVM `fminimum`, which
Debian 12's LLVM 15/16 cannot compile for x86, hence the pin.
Part masks come from a second, one-ray-per-pixel pass (shape-index AOV).
"""
