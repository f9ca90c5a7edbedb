r"""The update rule of every optimizer in ``optim_core`` as LaTeX, with a one-line intuition.

Pure (no streamlit). The equations are those of ``optim_core.transforms`` and the factory
docstrings in ``optim_core.optimizers`` (PyTorch's): :math:`g_t` is the gradient at step
:math:`t` (counted from 1), weight decay :math:`\lambda` first adds :math:`\lambda\theta` to
:math:`g_t` (except AdamW, which decays after the adaptive step), :math:`\eta_t` is the learning
rate after the schedule.
"""

from __future__ import annotations

UPDATE_RULES: dict[str, tuple[str, str]] = {
    "sgd": (
        r"\theta_{t} = \theta_{t-1} - \eta_t\, g_t",
        "Step straight down the slope, as far as the slope is steep.",
    ),
    "momentum": (
        r"b_1 = g_1,\quad b_t = \mu\, b_{t-1} + (1-\tau)\, g_t,\qquad "
        r"\theta_t = \theta_{t-1} - \eta_t\, b_t",
        "A heavy ball: past gradients keep pushing, so it speeds up along consistent slopes "
        "and overshoots in narrow valleys (τ is the dampening).",
    ),
    "nag": (
        r"b_1 = g_1,\quad b_t = \mu\, b_{t-1} + (1-\tau)\, g_t,\qquad "
        r"\theta_t = \theta_{t-1} - \eta_t\,(g_t + \mu\, b_t)",
        "Nesterov's look-ahead form of momentum (PyTorch's): the step leans on the gradient "
        "again, which brakes earlier and overshoots less.",
    ),
    "adagrad": (
        r"s_t = s_{t-1} + g_t^2,\qquad "
        r"\theta_t = \theta_{t-1} - \frac{\eta_t}{1 + (t-1)\,\delta}\,"
        r"\frac{g_t}{\sqrt{s_t} + \epsilon}",
        "Each coordinate is divided by the root of its summed squared gradients: steep "
        "directions slow down, flat ones speed up, and all steps shrink over time "
        "(s₀ is the initial accumulator, δ the learning-rate decay).",
    ),
    "rmsprop": (
        r"v_t = \alpha\, v_{t-1} + (1-\alpha)\, g_t^2,\quad "
        r"d_t = \frac{g_t}{\sqrt{v_t} + \epsilon},\quad b_t = \mu\, b_{t-1} + d_t,\qquad "
        r"\theta_t = \theta_{t-1} - \eta_t\, b_t",
        "Adagrad with a forgetting average, so steps do not shrink forever; with μ = 0 the "
        "step is d_t (centered: v_t minus the squared running mean of g).",
    ),
    "adam": (
        r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t,\quad "
        r"v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2,\qquad "
        r"\theta_t = \theta_{t-1} - \eta_t\,"
        r"\frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}",
        "Momentum on top of RMSProp's scaling, with both averages bias-corrected: steps of "
        "about η in every direction that keeps its sign (AMSGrad uses the running max of v).",
    ),
    "adamw": (
        r"\hat m_t = \frac{m_t}{1-\beta_1^t},\quad \hat v_t = \frac{v_t}{1-\beta_2^t},\qquad "
        r"\theta_t = \theta_{t-1} - \eta_t \left(\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon} "
        r"+ \lambda\, \theta_{t-1}\right)",
        "Adam with decoupled weight decay: the pull towards zero is not rescaled by the "
        "adaptive denominator (m, v as in Adam).",
    ),
    "adadelta": (
        r"v_t = \rho\, v_{t-1} + (1-\rho)\, g_t^2,\quad "
        r"\Delta_t = \frac{\sqrt{a_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t,\quad "
        r"a_t = \rho\, a_{t-1} + (1-\rho)\, \Delta_t^2,\qquad "
        r"\theta_t = \theta_{t-1} - \eta_t\, \Delta_t",
        "Divides by the RMS of recent gradients and multiplies by the RMS of recent steps, "
        "so steps start tiny (about √ε) and grow as the optimizer moves.",
    ),
    "newton": (
        r"\theta_t = \theta_{t-1} - \eta\, H_{t-1}^{-1} g_{t-1},\qquad "
        r"H = \nabla^2 f(\theta_{t-1})",
        "Jumps to the stationary point of the local quadratic model. Exact on a bowl, but at a "
        "saddle or a maximum that point is the saddle or the maximum: pure Newton is drawn to "
        "them (η = 1 by default; a Hessian and a gradient per step).",
    ),
    "saddle_free_newton": (
        r"|H| = \textstyle\sum_i \max(|\lambda_i|, \delta)\, v_i v_i^\top,\qquad "
        r"\theta_t = \theta_{t-1} - \eta\, |H_{t-1}|^{-1} g_{t-1}",
        "Newton's step with every curvature made positive (Dauphin et al., 2014): along a "
        "direction that curves down it steps downhill, so it leaves saddles (δ is the floor).",
    ),
    "bfgs": (
        r"d_t = -B_t\, g_t,\quad \theta_t = \theta_{t-1} + \alpha_t d_t,\quad "
        r"s = \alpha_t d_t,\ y = g_{t+1} - g_t,\ \rho = \tfrac{1}{y^\top s},\qquad "
        r"B_{t+1} = (I - \rho\, s y^\top) B_t (I - \rho\, y s^\top) + \rho\, s s^\top",
        "Builds an estimate B of the inverse Hessian from how the gradient changed, and picks "
        "each step length α by a line search (strong Wolfe, or Armijo backtracking): several "
        "function and gradient evaluations per step, no Hessian.",
    ),
    "lbfgs": (
        r"d_t = -H_t\, g_t\ \text{(from the last } m \text{ pairs } (s, y)\text{, } "
        r"H_0 = \tfrac{s^\top y}{y^\top y} I),\quad "
        r"\theta_t = \theta_{t-1} + \alpha_t d_t,\quad "
        r"\alpha_1 = \min(1, 1/\lVert g_1\rVert_1)\,\eta,\ \alpha_{t>1} = \eta",
        "torch.optim.LBFGS with max_iter=1: BFGS's curvature estimate from only the last m "
        "steps; the step length is η (or found by a strong-Wolfe search). torch's "
        "tolerance_change can make it stand still before the gradient is tiny.",
    ),
    "cg": (
        r"\theta_t = \theta_{t-1} + \alpha_t d_t,\quad d_{t+1} = -g_{t+1} + \beta_t d_t,\quad "
        r"\beta^{PR+} = \max\!\left(0, \tfrac{g_{t+1}^\top (g_{t+1} - g_t)}{g_t^\top g_t}\right),"
        r"\ \beta^{FR} = \tfrac{g_{t+1}^\top g_{t+1}}{g_t^\top g_t}",
        "Each new direction is the steepest descent corrected by the previous direction, so "
        "consecutive steps do not undo each other; α from a strong-Wolfe line search.",
    ),
    "levenberg_marquardt": (
        r"(J^\top J + \mu I)\, h = -J^\top r,\quad \rho = "
        r"\tfrac{f(\theta) - f(\theta + h)}{h^\top(\mu h - J^\top r)},\quad "
        r"\rho > 0:\ \theta \leftarrow \theta + h,\ "
        r"\mu \leftarrow \mu \max(\tfrac13, 1 - (2\rho - 1)^3);\ "
        r"\text{else } \mu \leftarrow \nu\mu,\ \nu \leftarrow 2\nu",
        "For sums of squares f = Σ rᵢ²: Gauss–Newton when the damping μ is small, a short "
        "gradient step when it is large; μ adapts to how well the model predicted the "
        "decrease (Nielsen's rule). Needs residuals r and their Jacobian J.",
    ),
}


def update_rule(name: str) -> tuple[str, str]:
    """(LaTeX of the update, one-sentence intuition) for the optimizer ``name``."""
    return UPDATE_RULES[name]
