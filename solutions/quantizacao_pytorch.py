"""Solução de referência do caderno 02_quantizacao_pytorch — quantização dinâmica int8 no
PyTorch, tamanho do modelo e medição honesta da latência.

Corrige a armadilha 3 (docs/correcoes.md#a3-quantizacao-dinamica-pytorch): a quantização dinâmica só converte camadas como
``nn.Linear`` (o ``nn.Conv2d`` fica em float), trabalha sobre uma cópia (o modelo de quem
chama não muda de dispositivo nem de pesos), usa o motor ``qnnpack`` em arm64 (Apple M1) e a
latência mede-se com aquecimento, várias repetições e a mediana — não com uma só chamada a
``time.time()``.

Função auxiliar privada usada pelos exercícios (o caderno define-a antes deles):
``_sincronizar``.
"""

from __future__ import annotations

import copy
import io
import time
import warnings

import numpy as np
import torch


def _sincronizar(x) -> None:
    """Espera que o GPU onde está o tensor ``x`` termine o trabalho pendente (em CPU, ou se
    ``x`` não for um tensor, não faz nada).

    Em CUDA e MPS as operações são assíncronas: sem isto o relógio pararia antes de o
    cálculo acabar.
    """
    tipo = x.device.type if isinstance(x, torch.Tensor) else "cpu"
    if tipo == "cuda":
        torch.cuda.synchronize()
    elif tipo == "mps":
        torch.mps.synchronize()


def quantizar_modelo_pytorch(modelo: torch.nn.Module) -> torch.nn.Module:
    """Devolve uma cópia de ``modelo`` com quantização dinâmica int8 das camadas ``nn.Linear``.

    Os pesos das ``nn.Linear`` passam a int8; as ativações são quantizadas em tempo de
    execução. As outras camadas (por exemplo ``nn.Conv2d``) ficam em float32. O modelo
    quantizado corre em CPU e fica em modo ``eval()``. O ``modelo`` recebido não é alterado
    (nem o dispositivo, nem o tipo, nem os pesos, nem os módulos).
    """
    from otimizacao.dispositivo import configurar_motor_quantizado

    # Em arm64 (Apple M1) só o motor qnnpack funciona; em x86 fica o predefinido.
    torch.backends.quantized.engine = configurar_motor_quantizado()

    # Trabalhamos numa cópia: .cpu() e .float() aplicados ao original mudá-lo-iam.
    copia = copy.deepcopy(modelo).cpu().float().eval()

    # torch.ao.quantization está obsoleto: o sucessor é o torchao, um pacote à parte que não
    # faz parte do ambiente fixado do curso (que tem de funcionar offline) e que está virado
    # sobretudo para GPU. Para esta demonstração em CPU, quantize_dynamic continua a funcionar;
    # calamos só os avisos de obsolescência (o do módulo e o dos tensores qint8), e só aqui.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", message=r"torch\.quantize_per_tensor", category=UserWarning)
        quantizado = torch.ao.quantization.quantize_dynamic(
            copia, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
        )
    return quantizado


def tamanho_modelo_mb(modelo: torch.nn.Module) -> float:
    """Tamanho, em MiB (2^20 bytes; o «mb» do nome vem do texto), do ``state_dict`` de ``modelo`` serializado com
    ``torch.save``. Mede em memória (``io.BytesIO``): não deixa nenhum ficheiro no disco."""
    buffer = io.BytesIO()
    torch.save(modelo.state_dict(), buffer)
    return buffer.getbuffer().nbytes / 2**20


def medir_latencia_ms(modelo, x, repeticoes: int = 50, aquecimento: int = 5) -> float:
    """Latência mediana, em milissegundos, de ``modelo(x)`` sob ``torch.inference_mode()``.

    Corre primeiro ``aquecimento`` chamadas que não contam (caches, alocação de memória,
    escolha de kernels) e depois mede ``repeticoes`` chamadas, uma a uma, com
    ``time.perf_counter``. A mediana ignora as chamadas raras que o sistema operativo atrasa.
    Levanta ``ValueError`` se ``repeticoes < 1`` ou ``aquecimento < 0``.
    """
    if repeticoes < 1:
        raise ValueError(
            f"repeticoes tem de ser pelo menos 1 (recebi {repeticoes}): sem medições não há mediana."
        )
    if aquecimento < 0:
        raise ValueError(
            f"aquecimento não pode ser negativo (recebi {aquecimento}): usa 0 para não aquecer."
        )

    tempos_ms = []
    with torch.inference_mode():
        for _ in range(aquecimento):
            modelo(x)
        _sincronizar(x)
        for _ in range(repeticoes):
            inicio = time.perf_counter()
            modelo(x)
            _sincronizar(x)
            tempos_ms.append((time.perf_counter() - inicio) * 1000)
    return float(np.median(tempos_ms))
