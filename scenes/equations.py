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
}


def update_rule(name: str) -> tuple[str, str]:
    """(LaTeX of the update, one-sentence intuition) for the optimizer ``name``."""
    return UPDATE_RULES[name]
