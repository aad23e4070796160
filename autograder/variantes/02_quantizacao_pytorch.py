"""Respostas de alunos imaginários ao caderno 02, para provar que a avaliação é justa.

CERTAS: respostas corretas escritas de outra forma que a referência; têm de ter nota máxima.
ERRADAS: erros típicos (entre eles o código do texto do módulo); cada um tem de falhar pelo
menos as células de teste indicadas.
MEIO_CERTO: o aluno «meio certo» da turma de demonstração (`make avaliar`).

Cada resposta é o conteúdo completo da célula de solução (grade_id da célula → código).
Usado por tests/test_exercicios.py e por autograder/turma_demo.py (o aluno «meio_certo»).
"""

# --------------------------------------------------------------------------- certas, mas diferentes
CERTAS = {
    "quantize_dynamic com qconfig_spec por tipo e cópia via state_dict": ("quantizar_modelo_pytorch", '''
def quantizar_modelo_pytorch(modelo: torch.nn.Module) -> torch.nn.Module:
    from torch.ao.quantization import default_dynamic_qconfig, quantize_dynamic

    dispositivo.configurar_motor_quantizado()
    copia = copy.deepcopy(modelo)
    copia = copia.to("cpu", torch.float32)
    copia.eval()
    return quantize_dynamic(copia, qconfig_spec={nn.Linear: default_dynamic_qconfig})
'''),
    # A resposta mais comum: quantize_dynamic chamado diretamente, sem calar nada. O torch emite
    # um DeprecationWarning atribuído à célula do aluno (__main__), que o IPython mostra em stderr
    # nas células de teste que chamam a função; a avaliação não pode dar 0 por isso
    # (docs/invariantes.md#i9-a-avaliacao-nao-perde-nada; tests/test_avisos.py avalia-a com o nbgrader a sério).
    "quantize_dynamic chamado diretamente (o torch avisa que está obsoleto)": ("quantizar_modelo_pytorch", '''
def quantizar_modelo_pytorch(modelo: torch.nn.Module) -> torch.nn.Module:
    return torch.ao.quantization.quantize_dynamic(copy.deepcopy(modelo).cpu().float().eval(), {nn.Linear}, dtype=torch.qint8)
'''),
    "tamanho com getvalue() e 1024 ** 2": ("tamanho_modelo_mb", '''
def tamanho_modelo_mb(modelo: torch.nn.Module) -> float:
    with io.BytesIO() as f:
        torch.save(modelo.state_dict(), f)
        return len(f.getvalue()) / 1024 ** 2
'''),
    "latência com statistics.median, time.perf_counter_ns e sem _sincronizar em CPU": ("medir_latencia_ms", '''
import statistics


def medir_latencia_ms(modelo, x, repeticoes: int = 50, aquecimento: int = 5) -> float:
    with torch.inference_mode():
        for _ in range(aquecimento):
            modelo(x)
        tempos = []
        for _ in range(repeticoes):
            t0 = time.perf_counter_ns()
            modelo(x)
            tempos.append((time.perf_counter_ns() - t0) / 1e6)
    return statistics.median(tempos)
'''),
    # Uma barra de progresso do tqdm escreve em stderr (na célula de teste que chama a função).
    "latência com barra de progresso do tqdm (escreve em stderr)": ("medir_latencia_ms", '''
from tqdm import tqdm


def medir_latencia_ms(modelo, x, repeticoes: int = 50, aquecimento: int = 5) -> float:
    tempos = []
    with torch.inference_mode():
        for i in tqdm(range(aquecimento + repeticoes), desc="latência"):
            inicio = time.perf_counter()
            modelo(x)
            if i >= aquecimento:
                tempos.append((time.perf_counter() - inicio) * 1000)
    return float(np.median(tempos))
'''),
}

# --------------------------------------------------------------------------- erros típicos
# nome -> (grade_id da célula de solução, código, células de teste que têm de falhar)
ERRADAS = {
    "o código do texto: {Linear, Conv2d} e model.cpu() sem cópia (o Conv2d fica float; eval não)": ("quantizar_modelo_pytorch", '''
def quantizar_modelo_pytorch(modelo: torch.nn.Module) -> torch.nn.Module:
    model_cpu = modelo.cpu()
    return torch.quantization.quantize_dynamic(model_cpu, {torch.nn.Linear, torch.nn.Conv2d}, dtype=torch.qint8)
''', ["teste_quantizar_pytorch_original"]),
    "quantiza no lugar (inplace=True): o modelo de quem chama perde as Linear": ("quantizar_modelo_pytorch", '''
def quantizar_modelo_pytorch(modelo: torch.nn.Module) -> torch.nn.Module:
    dispositivo.configurar_motor_quantizado()
    modelo.eval()
    return torch.ao.quantization.quantize_dynamic(modelo, {nn.Linear}, dtype=torch.qint8, inplace=True)
''', ["teste_quantizar_pytorch_original"]),
    "modelo.float().eval() no original antes de copiar": ("quantizar_modelo_pytorch", '''
def quantizar_modelo_pytorch(modelo: torch.nn.Module) -> torch.nn.Module:
    dispositivo.configurar_motor_quantizado()
    copia = copy.deepcopy(modelo.cpu().float().eval())
    return torch.ao.quantization.quantize_dynamic(copia, {nn.Linear}, dtype=torch.qint8)
''', ["teste_quantizar_pytorch_original"]),
    "float16 em vez de int8 (dtype=torch.float16)": ("quantizar_modelo_pytorch", '''
def quantizar_modelo_pytorch(modelo: torch.nn.Module) -> torch.nn.Module:
    dispositivo.configurar_motor_quantizado()
    copia = copy.deepcopy(modelo).cpu().float().eval()
    return torch.ao.quantization.quantize_dynamic(copia, {nn.Linear}, dtype=torch.float16)
''', ["teste_quantizar_pytorch_lineares"]),
    "o código do texto: temp.p no disco": ("tamanho_modelo_mb", '''
import os


def tamanho_modelo_mb(modelo: torch.nn.Module) -> float:
    torch.save(modelo.state_dict(), "temp.p")
    size = os.path.getsize("temp.p") / (1024**2)
    os.remove("temp.p")
    return size
''', ["teste_tamanho_modelo_mb"]),
    "MB decimais (10**6) em vez de 2**20": ("tamanho_modelo_mb", '''
def tamanho_modelo_mb(modelo: torch.nn.Module) -> float:
    buffer = io.BytesIO()
    torch.save(modelo.state_dict(), buffer)
    return buffer.getbuffer().nbytes / 1e6
''', ["teste_tamanho_modelo_mb"]),
    "conta só os tensores (numel × element_size), não o ficheiro serializado": ("tamanho_modelo_mb", '''
def tamanho_modelo_mb(modelo: torch.nn.Module) -> float:
    return sum(t.numel() * t.element_size() for t in modelo.state_dict().values()) / 2**20
''', ["teste_tamanho_modelo_mb"]),
    "o código do texto: uma chamada com time.time(), sem aquecimento, em segundos": ("medir_latencia_ms", '''
def medir_latencia_ms(modelo, x, repeticoes: int = 50, aquecimento: int = 5) -> float:
    start = time.time()
    _ = modelo(x)
    return time.time() - start
''', ["teste_latencia_ms"]),
    "média em vez de mediana": ("medir_latencia_ms", '''
def medir_latencia_ms(modelo, x, repeticoes: int = 50, aquecimento: int = 5) -> float:
    with torch.inference_mode():
        for _ in range(aquecimento):
            modelo(x)
        tempos = []
        for _ in range(repeticoes):
            t0 = time.perf_counter()
            modelo(x)
            tempos.append((time.perf_counter() - t0) * 1000)
    return float(np.mean(tempos))
''', ["teste_latencia_mediana"]),
    "o aquecimento conta para a mediana": ("medir_latencia_ms", '''
def medir_latencia_ms(modelo, x, repeticoes: int = 50, aquecimento: int = 5) -> float:
    tempos = []
    with torch.inference_mode():
        for _ in range(aquecimento + repeticoes):
            t0 = time.perf_counter()
            modelo(x)
            tempos.append((time.perf_counter() - t0) * 1000)
    return float(np.median(tempos))
''', ["teste_latencia_mediana"]),
    "torch.no_grad() em vez de torch.inference_mode()": ("medir_latencia_ms", '''
def medir_latencia_ms(modelo, x, repeticoes: int = 50, aquecimento: int = 5) -> float:
    with torch.no_grad():
        for _ in range(aquecimento):
            modelo(x)
        tempos = []
        for _ in range(repeticoes):
            t0 = time.perf_counter()
            modelo(x)
            tempos.append((time.perf_counter() - t0) * 1000)
    return float(np.median(tempos))
''', ["teste_latencia_ms"]),
}

# O aluno «meio certo»: acerta no tamanho (referência), copia a quantização do texto e usa a
# média em vez da mediana.
MEIO_CERTO = {
    "quantizar_modelo_pytorch": "o código do texto: {Linear, Conv2d} e model.cpu() sem cópia (o Conv2d fica float; eval não)",
    "medir_latencia_ms": "média em vez de mediana",
}
