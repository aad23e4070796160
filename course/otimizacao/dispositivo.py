"""Dispositivo de cálculo (cuda / mps / cpu) e motor de quantização do PyTorch."""

from __future__ import annotations

import platform


def e_arm64() -> bool:
    """True num processador ARM de 64 bits (Apple M1/M2/…, Raspberry Pi 4+, Graviton).
    Apresentado no caderno 00."""
    return platform.machine().lower() in ("arm64", "aarch64")


def detetar_dispositivo() -> str:
    """Devolve "cuda", "mps" (GPU da Apple) ou "cpu", pela ordem em que estão disponíveis.
    Sem PyTorch instalado devolve "cpu". Apresentado no caderno 00."""
    try:
        import torch
    except ImportError:
        return "cpu"
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def dispositivo_do_tensorflow() -> str:
    """Onde o TensorFlow corre nesta máquina: "gpu" se ele próprio vê uma GPU
    (``tf.config.list_physical_devices("GPU")``), senão "cpu". Apresentado no caderno 09.

    Não é o mesmo que ``detetar_dispositivo`` (o do PyTorch): num Mac M1 o PyTorch vê a GPU da
    Apple ("mps"), mas o TensorFlow só a usa com o ``tensorflow-metal``, que o curso não instala;
    sem ele, o TensorFlow corre no CPU, e é isso que decide a política de precisão do Keras."""
    import tensorflow as tf

    return "gpu" if tf.config.list_physical_devices("GPU") else "cpu"


def configurar_motor_quantizado() -> str:
    """Escolhe o motor de quantização do PyTorch e devolve o seu nome.

    Em arm64 (ex.: Apple M1) só o ``qnnpack`` funciona; em x86 fica o predefinido
    (``x86``/``fbgemm``). Apresentado no caderno 00 e usado no 02.
    """
    import torch

    motores = torch.backends.quantized.supported_engines
    if e_arm64() and "qnnpack" in motores:
        torch.backends.quantized.engine = "qnnpack"
    return torch.backends.quantized.engine


def resumo_maquina() -> str:
    """Uma linha sobre a máquina: sistema, processador, dispositivo. Apresentado no caderno 00."""
    return (
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}, "
        f"dispositivo: {detetar_dispositivo()}"
    )
