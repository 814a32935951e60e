"""The procedural training-data engine: parametric objects with exact part labels, rendered
under randomised materials, lights, cameras, backgrounds and distractors.

Renderer: Mitsuba 3's LLVM variant (pip `mitsuba`, pinned to 3.5.2; the LLVM it JITs
with is Debian's libllvm15). A path tracer gives soft shadows, inter-reflection and
glossy metal, the cues a frozen DINOv2 sees in real photos; measured here, a 224x224
frame at 32 spp costs about 1.8 CPU-seconds (JIT included), so 5,000 frames fit a
background job on two cores. A numpy rasteriser would be cheaper but flat (no shadows
or reflections); pyrender pins an old PyOpenGL, needs OSMesa and rasterises too.
The pin: Mitsuba 3.9.1 (drjit 1.x) emits LLVM `fminimum`, which Debian 12's LLVM 15
and 16 cannot compile for x86 ("Cannot select: fminimum"); 3.5.2 runs on LLVM 15.
Part masks come from a second, one-ray-per-pixel pass (shape-index AOV).
"""
